using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Captions;

namespace ViraLoop.Grains.VideoJob;

/// <summary>
/// A job's persisted state: the order, where it stands, and every choice and intermediate result it made (script,
/// voices, timeline, visuals as blob references), so a job resumed on another silo makes the same video.
/// </summary>
public sealed class VideoJobState
{
    public string TenantId { get; set; } = "";
    public string JobId { get; set; } = "";
    public VideoOrder? Order { get; set; }
    public JobStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public string? Error { get; set; }
    public int Seed { get; set; }
    public string Priority { get; set; } = "";
    public string VisualBackend { get; set; } = "";
    public string VoiceEngine { get; set; } = "";
    public Script? Script { get; set; }
    public double VoiceSpeed { get; set; } = 1.0;
    public List<SceneVoiced?> Voices { get; set; } = [];
    public List<TimedScene>? Timeline { get; set; }
    public double DurationSeconds { get; set; }
    public List<string> Notes { get; set; } = [];
    public List<SceneRendered?> Visuals { get; set; } = [];
    public Dictionary<string, string> Outputs { get; set; } = [];
    public Dictionary<string, double> StepSeconds { get; set; } = [];
    public DateTimeOffset StepStartedAt { get; set; }

    /// <summary>Failed attempts of the step now due, and when it may run again.</summary>
    public int StepFailures { get; set; }
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>Bumped on every activation: progress sequence numbers are (epoch, counter), so they only grow.</summary>
    public long Epoch { get; set; }
}
