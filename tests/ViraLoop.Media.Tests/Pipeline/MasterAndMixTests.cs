using System.Globalization;
using ViraLoop.Media.Music;

namespace ViraLoop.Media.Tests.Pipeline;

/// <summary>The full-size master as platforms receive it, and the soundtrack's ducking measured on the finished MP4.</summary>
[Collection(RenderedVideosCollection.Name)]
public sealed class MasterAndMixTests(RenderedVideos videos)
{
    [Fact]
    public async Task Master_Is1080x1920_30fps_H264High_Aac48k_AtMinus14Lufs()
    {
        var probe = await MediaProbe.ProbeAsync(videos.Master.VideoPath);
        var v = MediaProbe.Stream(probe, "video");
        var a = MediaProbe.Stream(probe, "audio");
        Assert.Equal("h264", v.GetProperty("codec_name").GetString());
        Assert.Equal("High", v.GetProperty("profile").GetString());
        Assert.Equal("yuv420p", v.GetProperty("pix_fmt").GetString());
        Assert.Equal(1080, v.GetProperty("width").GetInt32());
        Assert.Equal(1920, v.GetProperty("height").GetInt32());
        Assert.Equal("30/1", v.GetProperty("r_frame_rate").GetString());
        Assert.Equal("30/1", v.GetProperty("avg_frame_rate").GetString());
        Assert.Equal("aac", a.GetProperty("codec_name").GetString());
        Assert.Equal("48000", a.GetProperty("sample_rate").GetString());
        Assert.InRange(MediaProbe.Duration(probe), 5 * 0.9, 5 * 1.1);
        // Frames counted by ffprobe agree with 30 fps over the measured duration (no dropped or doubled frames).
        var frames = await MediaProbe.PacketsAsync(videos.Master.VideoPath, "v:0");
        Assert.InRange(frames.Count, (int)(MediaProbe.Duration(probe) * 30) - 2, (int)(MediaProbe.Duration(probe) * 30) + 2);
        // Loudness by ffmpeg's own EBU R128 meter, on the written file: −14 LUFS ± 1, true peak at most −1 dBTP.
        var (integrated, peak) = await MediaProbe.LoudnessAsync(videos.Master.VideoPath);
        Assert.InRange(integrated, -15, -13);
        Assert.True(peak <= -1.0, $"true peak {peak} dBTP");
    }

    [Fact]
    public async Task Music_IsDuckedUnderSpeech_InTheFinishedVideo()
    {
        // The music track is deterministic (mood, seed, length), so the test makes it again and measures how much of it is in
        // the MP4's decoded audio, window by window: the least-squares gain of the known music in the mix. The voice is
        // not correlated with the music, so it adds noise to that gain, not bias.
        var manifest = RenderedVideos.Manifest(videos.English);
        double duration = manifest.GetProperty("output").GetProperty("durationSeconds").GetDouble();
        var request = RenderedVideos.EnglishRequest;
        var spec = MusicSpec.ForMood(request.Mood, request.Seed!.Value);
        Assert.Equal(spec.Bpm, manifest.GetProperty("music").GetProperty("bpm").GetDouble());
        const int rate = 48000;
        var music = MusicSynthesizer.Generate(spec, duration + 0.5, rate, request.Seed!.Value);
        var m = Enumerable.Range(0, music.Samples.Length / 2).Select(i => (music.Samples[2 * i] + music.Samples[2 * i + 1]) / 65536f).ToArray();
        var mix = await MediaProbe.DecodeMonoAsync(videos.English.VideoPath, rate);

        var words = manifest.GetProperty("scenes").EnumerateArray().SelectMany(s => s.GetProperty("words").EnumerateArray())
            .Select(w => (Start: w.GetProperty("start").GetDouble(), End: w.GetProperty("end").GetDouble())).ToList();
        Assert.NotEmpty(words);
        // Under speech: inside words, past the 10 ms attack. In a gap: no word from 0.05 s before to 0.3 s after, away from
        // the music's fade-in and its 1 s fade-out at the end.
        bool Speaking(double t) => words.Any(w => t >= w.Start + 0.05 && t <= w.End);
        bool Gap(double t) => t > 0.25 && t < duration - 0.9 && !words.Any(w => t >= w.Start - 0.05 && t <= w.End + 0.3);
        const double hop = 0.1;
        var speechIdx = new List<int>();
        var gapWindows = new List<List<int>>();
        for (double t = 0; t + hop <= duration; t += hop)
        {
            var idx = Range(t, hop, rate, mix.Length, m.Length).ToList();
            if (Speaking(t) && Speaking(t + hop)) speechIdx.AddRange(idx);
            else if (Gap(t) && Gap(t + hop)) gapWindows.Add(idx);
        }
        Assert.True(gapWindows.Count >= 3, $"the English video has only {gapWindows.Count * hop:0.0} s of gap between phrases to measure");
        Assert.True(speechIdx.Count > rate * 1.0, "too little speech to measure");

        double Gain(List<int> idx) => idx.Sum(i => (double)mix[i] * m[i]) / idx.Sum(i => (double)m[i] * m[i]);
        double Rms(List<int> idx) => Math.Sqrt(idx.Average(i => (double)mix[i] * mix[i]));
        // The music's level in the gaps: the loudest 100 ms window once it has come back up after a phrase.
        var gap = gapWindows.MaxBy(Gain)!;
        double gapGain = Gain(gap), speechGain = Gain(speechIdx);
        // In the gap the mix is nearly all music: the known music explains most of it (this also checks the alignment).
        double explained = gapGain * gapGain * gap.Sum(i => (double)m[i] * m[i]) / gap.Sum(i => (double)mix[i] * mix[i]);
        Assert.True(explained > 0.8, $"the music explains only {explained:P0} of the gap's energy");
        // The measure tells the track that was mixed in from one that was not: another mood's track explains next to nothing.
        var other = MusicSynthesizer.Generate(MusicSpec.ForMood(request.Mood == "calm" ? "dramatic" : "calm", request.Seed!.Value), duration + 0.5, rate, request.Seed!.Value);
        var o = Enumerable.Range(0, other.Samples.Length / 2).Select(i => (other.Samples[2 * i] + other.Samples[2 * i + 1]) / 65536f).ToArray();
        double otherGain = gap.Sum(i => (double)mix[i] * o[i]) / gap.Sum(i => (double)o[i] * o[i]);
        double otherExplained = otherGain * otherGain * gap.Sum(i => (double)o[i] * o[i]) / gap.Sum(i => (double)mix[i] * mix[i]);
        Assert.True(otherExplained < 0.2, $"an unrelated track explains {otherExplained:P0} of the gap's energy");
        // Ducked under speech by about 10 dB: clearly (at least 6 dB, even though the short gaps between scenes are too short
        // for the 400 ms release to finish), but not gone (at most 16 dB).
        double duckDb = 20 * Math.Log10(Math.Max(1e-6, speechGain) / gapGain);
        Assert.InRange(duckDb, -16, -6);
        // Music alone sits well below the voice: the gaps are at least 6 dB quieter than speech over music.
        var gaps = gapWindows.SelectMany(w => w).ToList();
        double levelDb = 20 * Math.Log10(Rms(gaps) / Rms(speechIdx));
        Assert.True(levelDb < -6, $"music alone is only {-levelDb:0.0} dB below the voice");
    }

    private static IEnumerable<int> Range(double t, double hop, int rate, int a, int b)
    {
        int from = (int)(t * rate), to = Math.Min(Math.Min(a, b), (int)((t + hop) * rate));
        for (int i = from; i < to; i++) yield return i;
    }
}
