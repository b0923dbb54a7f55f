using ViraLoop.Contracts;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Client;

/// <summary>
/// The grain SDK's jobs in the HTTP API's shapes (<see cref="VideoView"/>, <see cref="ProgressView"/>), so a program can
/// show either the same way. Links are the API's paths.
/// </summary>
public static class VideoViews
{
    private static readonly (string Output, string File)[] Files =
        [("video", "video.mp4"), ("thumbnail", "thumbnail.jpg"), ("captions", "captions.ass"), ("hls", "hls/index.m3u8"), ("manifest", "manifest.json")];

    public static VideoView Of(JobSnapshot s)
    {
        var self = $"/v1/videos/{s.JobId}";
        var links = new Dictionary<string, string> { ["self"] = self, ["events"] = $"{self}/events", ["script"] = $"{self}/script" };
        foreach (var (output, file) in Files)
            if (s.Outputs.ContainsKey(output)) links[output] = $"{self}/{file}";
        return new VideoView(s.JobId, s.Status.Name(), s.Percent, s.Step, s.EtaSeconds, s.Error, s.Title, s.Seed, s.CreatedAt, s.UpdatedAt,
            s.Scenes.Select(x => Scene(s.JobId, x)).ToList(), links, NearDuplicate: s.NearDuplicate is { } nd ? Similar(nd) : null);
    }

    public static SimilarVideoView Similar(ViraLoop.Grains.DnaNeighbour n) => new(n.VideoId, n.Similarity, n.Colour, n.Motion, n.Audio, n.Script, $"/v1/videos/{n.VideoId}");

    public static SceneView Scene(string id, SceneSnapshot s) =>
        new(s.Index, s.Status.ToString().ToLowerInvariant(), s.PreviewKey is null ? null : $"/v1/videos/{id}/scenes/{s.Index}/preview.jpg", s.Backend, s.Note);

    public static ProgressView Of(string id, JobProgress e) =>
        new(e.Sequence, e.Status.Name(), e.Percent, e.Step, e.StepFraction, e.Scene is null ? null : Scene(id, e.Scene), e.EtaSeconds, e.Error, e.At);
}
