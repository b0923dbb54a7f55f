using ViraLoop.Contracts;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Api.Videos;

public static class Views
{
    public static string Base(string id) => $"/v1/videos/{id}";

    public static VideoView Of(JobSnapshot s)
    {
        var id = s.JobId;
        var links = new Dictionary<string, string>
        {
            ["self"] = Base(id),
            ["events"] = $"{Base(id)}/events",
            ["script"] = $"{Base(id)}/script",
        };
        if (s.Outputs.ContainsKey("video")) links["video"] = $"{Base(id)}/video.mp4";
        if (s.Outputs.ContainsKey("thumbnail")) links["thumbnail"] = $"{Base(id)}/thumbnail.jpg";
        if (s.Outputs.ContainsKey("captions")) links["captions"] = $"{Base(id)}/captions.ass";
        if (s.Outputs.ContainsKey("hls")) links["hls"] = $"{Base(id)}/hls/index.m3u8";
        if (s.Outputs.ContainsKey("manifest")) links["manifest"] = $"{Base(id)}/manifest.json";
        if (s.Experiment is { } experiment) links["experiment"] = $"/v1/experiments/{experiment}";
        return new VideoView(id, s.Status.Name(), s.Percent, s.Step, s.EtaSeconds, s.Error, s.Title, s.Seed, s.CreatedAt, s.UpdatedAt,
            s.Scenes.Select(x => Scene(id, x)).ToList(), links,
            s.Rejection is { } r ? new RejectionView(r.Category, r.Severity, r.Field, r.Passage, r.Source, r.Stage) : null,
            s.Provenance is { } p ? new ProvenanceView(p.ManifestLabel, ViraLoop.Media.Provenance.C2paSigner.ClaimGenerator, p.Signer, p.Issuer, p.SigningTime, p.Actions) : null,
            s.NearDuplicate is { } nd ? Similar(nd) : null,
            s.Experiment is { } e ? new VideoExperimentView(e, s.Arm ?? "") : null);
    }

    public static SimilarVideoView Similar(ViraLoop.Grains.DnaNeighbour n) => new(n.VideoId, n.Similarity, n.Colour, n.Motion, n.Audio, n.Script, Base(n.VideoId));

    public static SceneView Scene(string id, SceneSnapshot s) =>
        new(s.Index, s.Status.ToString().ToLowerInvariant(), s.PreviewKey is null ? null : $"{Base(id)}/scenes/{s.Index}/preview.jpg", s.Backend, s.Note);

    public static ProgressView Of(string id, JobProgress e) =>
        new(e.Sequence, e.Status.Name(), e.Percent, e.Step, e.StepFraction, e.Scene is null ? null : Scene(id, e.Scene), e.EtaSeconds, e.Error, e.At);
}
