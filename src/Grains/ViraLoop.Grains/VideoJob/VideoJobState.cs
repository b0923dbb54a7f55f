using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Captions;

namespace ViraLoop.Grains.VideoJob;

/// <summary>
/// A job's persisted state: the order, where it stands, and every choice and intermediate result it made (script,
/// voices, timeline, visuals as blob references), so a job resumed on another silo makes the same video.
/// </summary>
[GenerateSerializer, Alias("vl.video-job-state")]
public sealed class VideoJobState
{
    [Id(0)] public string TenantId { get; set; } = "";
    [Id(1)] public string JobId { get; set; } = "";
    [Id(2)] public VideoOrder? Order { get; set; }
    [Id(3)] public JobStatus Status { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(6)] public DateTimeOffset? StartedAt { get; set; }
    [Id(7)] public string? Error { get; set; }
    [Id(8)] public int Seed { get; set; }
    [Id(9)] public string Priority { get; set; } = "";
    [Id(10)] public string VisualBackend { get; set; } = "";
    [Id(11)] public string VoiceEngine { get; set; } = "";
    [Id(12)] public Script? Script { get; set; }
    [Id(13)] public double VoiceSpeed { get; set; } = 1.0;
    [Id(14)] public List<SceneVoiced?> Voices { get; set; } = [];
    [Id(15)] public List<TimedScene>? Timeline { get; set; }
    [Id(16)] public double DurationSeconds { get; set; }
    [Id(17)] public List<string> Notes { get; set; } = [];
    [Id(18)] public List<SceneRendered?> Visuals { get; set; } = [];
    [Id(19)] public Dictionary<string, string> Outputs { get; set; } = [];
    [Id(20)] public Dictionary<string, double> StepSeconds { get; set; } = [];
    [Id(21)] public DateTimeOffset StepStartedAt { get; set; }

    /// <summary>Failed attempts of the step now due, and when it may run again.</summary>
    [Id(22)] public int StepFailures { get; set; }
    [Id(23)] public DateTimeOffset? RetryAt { get; set; }

    /// <summary>The highest percent announced (a step resumed elsewhere never shows less than was shown).</summary>
    [Id(25)] public double PercentFloor { get; set; }

    /// <summary>Bumped on every activation: progress sequence numbers are (epoch, counter), so they only grow.</summary>
    [Id(24)] public long Epoch { get; set; }

    /// <summary>The W3C traceparent of the job's root span: every span of the job is its child.</summary>
    [Id(26)] public string? TraceParent { get; set; }

    /// <summary>The job's spans (steps, voices, visuals, waits), oldest first; the newest <see cref="MaxSpans"/> are kept.</summary>
    [Id(27)] public List<JobSpan> Trace { get; set; } = [];

    public const int MaxSpans = 400;

    /// <summary>Why the video that was made is not delivered (a safety check failed); null otherwise.</summary>
    [Id(28)] public string? Withheld { get; set; }

    /// <summary>Why the content policy refused the job (status rejected); null otherwise.</summary>
    [Id(29)] public JobRejection? Rejection { get; set; }

    /// <summary>The tenant's content policy when the job was submitted (category → level; empty: standard), used for its script and edits too.</summary>
    [Id(30)] public Dictionary<string, string> Moderation { get; set; } = [];

    /// <summary>The C2PA manifest the delivered MP4 carries (signer, time, actions); null until it is packaged.</summary>
    [Id(31)] public ViraLoop.Media.Provenance.C2paSignResult? Provenance { get; set; }

    /// <summary>The tenant's earlier video that the finished one nearly duplicates (DNA similarity at or above the threshold); null otherwise.</summary>
    [Id(32)] public DnaNeighbour? NearDuplicate { get; set; }
}
