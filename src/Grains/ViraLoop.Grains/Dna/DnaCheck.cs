using System.Globalization;
using ViraLoop.Media;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Dna;

namespace ViraLoop.Grains.Dna;

/// <summary>
/// What a job's packaging asks about the finished MP4 (on the executor, outside the job's turn): its DNA, and the tenant's
/// earlier video it nearly duplicates (similarity at or above <see cref="Threshold"/>, the job itself left out, so a
/// packaging run again after a crash never finds itself). A video whose DNA cannot be computed is still delivered; a note says so.
/// </summary>
public sealed record DnaCheck(IVideoDnaGrain Index, string JobId, double Threshold)
{
    public async Task<(float[]? Vector, DnaNeighbour? NearDuplicate, string? Note)> CheckAsync(string video, IReadOnlyList<TimedScene> scenes,
        CancellationToken ct)
    {
        float[] vector;
        try
        {
            // The narration as the manifest's scenes hold it (one line a scene), so the DNA equals one computed from the files.
            vector = await VideoDna.ComputeAsync(video, string.Concat(scenes.Select(s => s.Script.Narration + "\n")), ct);
        }
        catch (MediaInputException e)
        {
            return (null, null, $"video DNA not computed ({e.Message}): no near-duplicate check, and the video is not in the similarity index");
        }
        var near = await Index.NearDuplicate(vector, JobId, (float)Threshold);
        return (vector, near, near is null ? null : Warning(near, Threshold));
    }

    /// <summary>The warning as the job's notes and the manifest's notes say it.</summary>
    public static string Warning(DnaNeighbour near, double threshold) => string.Create(CultureInfo.InvariantCulture,
        $"near duplicate: video DNA {near.Similarity:0.000} similar to the earlier video {near.VideoId} (threshold {threshold:0.00}; colour {near.Colour:0.00}, motion {near.Motion:0.00}, audio {near.Audio:0.00}, script {near.Script:0.00})");
}
