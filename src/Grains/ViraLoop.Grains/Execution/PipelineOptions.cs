using ViraLoop.Grains.Scheduling;

namespace ViraLoop.Grains.Execution;

/// <summary>How the grains run the pipeline (from the silo's configuration; every default is here).</summary>
public sealed class PipelineOptions
{
    /// <summary>Long CPU steps (TTS, encodes) running at once on one silo.</summary>
    public int CpuSlots { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Visual backend work a GPU worker runs at once.</summary>
    public int GpuSlots { get; set; } = 4;

    /// <summary>Period of a live job's own timer (retries, re-asking scenes whose answer was lost).</summary>
    public TimeSpan JobTick { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Period of the reminder that brings an unfinished job back after its silo died.</summary>
    public TimeSpan JobReminder { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A scene asked for its voice or visual is asked again after this long without an answer.</summary>
    public TimeSpan SceneAskAgain { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Attempts of a cheap local step (script, voice, encode, packaging) before the job fails.</summary>
    public int StepAttempts { get; set; } = 4;

    /// <summary>Backoff before the first retry of a step; doubled each attempt.</summary>
    public TimeSpan StepBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often an idle GPU worker asks the scheduler for work.</summary>
    public TimeSpan WorkerPoll { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Where the C2PA signing certificate and key come from (both PEM paths, or neither for the development CA).</summary>
    public ViraLoop.Media.Provenance.C2paKeyOptions SigningKey { get; set; } = new(null, null);

    public SchedulerOptions Scheduler { get; set; } = new();

    /// <summary>DNA cosine similarity at or above which a finished video is flagged as a near duplicate of an earlier one of its tenant.</summary>
    public double NearDuplicateThreshold { get; set; } = ViraLoop.Media.Dna.DnaIndex.DefaultNearDuplicateThreshold;

    /// <summary>Plans for named tenants; others get <see cref="DefaultWeight"/> and <see cref="DefaultCeiling"/>.</summary>
    public Dictionary<string, (double Weight, PriorityTier Ceiling)> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The plan of a tenant no admin has given one (limits; weight and ceiling unless <see cref="Tenants"/> names it).</summary>
    public ViraLoop.Grains.Messages.TenantPlanSettings DefaultPlan { get; set; } = new();

    public double DefaultWeight { get; set; } = 1;

    public PriorityTier DefaultCeiling { get; set; } = PriorityTier.Standard;

    /// <summary>
    /// Parses a plan list: <c>acme=3:high,beta=1:standard</c> (tenant = weight : ceiling). Throws with the reason on a bad entry.
    /// </summary>
    public static Dictionary<string, (double Weight, PriorityTier Ceiling)> ParseTenants(string? text)
    {
        var plans = new Dictionary<string, (double, PriorityTier)>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) return plans;
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = entry.Split('=', 2);
            var parts = eq.Length == 2 ? eq[1].Split(':', 2) : [];
            if (eq.Length != 2 || eq[0].Length == 0 || parts.Length != 2
                || !double.TryParse(parts[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var w) || w <= 0
                || Priorities.Parse(parts[1]) is not { } tier)
                throw new ArgumentException($"Bad tenant plan '{entry}': write tenant=weight:ceiling, e.g. acme=3:high.");
            plans[eq[0]] = (w, tier);
        }
        return plans;
    }
}

/// <summary>Priority names as requests and plans write them.</summary>
public static class Priorities
{
    public static PriorityTier? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "high" => PriorityTier.High,
        "standard" or "normal" => PriorityTier.Standard,
        "low" => PriorityTier.Low,
        _ => null,
    };

    public static string Name(PriorityTier tier) => tier.ToString().ToLowerInvariant();
}
