namespace ViraLoop.Grains.Messages;

/// <summary>What a tenant's plan allows.</summary>
[GenerateSerializer, Immutable, Alias("vl.tenant-plan-settings")]
public sealed record TenantPlanSettings
{
    [Id(0)] public string Name { get; init; } = "standard";

    /// <summary>The highest priority a request may ask for: high, standard or low.</summary>
    [Id(1)] public string PriorityCeiling { get; init; } = "standard";

    /// <summary>Share of the GPU pool under contention (weighted fair queuing).</summary>
    [Id(2)] public double Weight { get; init; } = 1;

    [Id(3)] public int VideosPerDay { get; init; } = 200;
    [Id(4)] public double RenderedSecondsPerMonth { get; init; } = 36_000;

    /// <summary>API requests per minute (per silo that serves them).</summary>
    [Id(5)] public int RequestsPerMinute { get; init; } = 600;

    /// <summary>
    /// The tenant's content policy: category → strict, standard or relaxed (only the categories that differ from
    /// standard). Hate, sexual content and self-harm cannot be relaxed; severe findings are refused at every level.
    /// </summary>
    [Id(6)] public IReadOnlyDictionary<string, string>? Moderation { get; init; }

    /// <summary>Jobs not yet finished (queued, running or waiting for approval) at once; more are refused with 403 until one ends.</summary>
    [Id(7)] public int ConcurrentJobs { get; init; } = 20;
}

[GenerateSerializer, Immutable, Alias("vl.admission-request")]
public sealed record AdmissionRequest(
    [property: Id(0)] string JobId,
    [property: Id(1)] string? IdempotencyKey,
    [property: Id(2)] string Fingerprint,
    [property: Id(3)] double DurationSeconds,
    [property: Id(4)] DateTimeOffset At);

[GenerateSerializer, Alias("vl.admission-outcome")]
public enum AdmissionOutcome
{
    Admitted = 0,

    /// <summary>The idempotency key named this job before, for the same request: answer it again, make nothing new.</summary>
    Replayed = 1,

    /// <summary>The idempotency key was used before with another request.</summary>
    KeyReused = 2,

    QuotaExceeded = 3,
}

[GenerateSerializer, Immutable, Alias("vl.admission")]
public sealed record Admission(
    [property: Id(0)] AdmissionOutcome Outcome,
    [property: Id(1)] string JobId,
    [property: Id(2)] string? Quota = null,
    [property: Id(3)] string? Message = null);

[GenerateSerializer, Immutable, Alias("vl.tenant-job")]
public sealed record TenantJob(
    [property: Id(0)] string JobId,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] AdmissionCount? Counted = null);

/// <summary>What an admission counted against the tenant's quotas (so a withdrawal can give it back), and its idempotency key.</summary>
[GenerateSerializer, Immutable, Alias("vl.admission-count")]
public sealed record AdmissionCount(
    [property: Id(0)] string Day,
    [property: Id(1)] string Month,
    [property: Id(2)] double Seconds,
    [property: Id(3)] string? IdempotencyKey);

[GenerateSerializer, Immutable, Alias("vl.tenant-job-page")]
public sealed record TenantJobPage(
    [property: Id(0)] IReadOnlyList<TenantJob> Jobs,
    [property: Id(1)] int Total);

[GenerateSerializer, Immutable, Alias("vl.tenant-usage")]
public sealed record TenantUsage(
    [property: Id(0)] string Day,
    [property: Id(1)] int VideosToday,
    [property: Id(2)] string Month,
    [property: Id(3)] double SecondsThisMonth,
    [property: Id(4)] TenantPlanSettings Plan);

/// <summary>An API key as stored: its public id (the first characters of its hash), tenant, name, state and the hash. Never the secret.</summary>
[GenerateSerializer, Immutable, Alias("vl.api-key-info")]
public sealed record ApiKeyInfo(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string Name,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? RevokedAt = null,
    [property: Id(5)] string Hash = "");
