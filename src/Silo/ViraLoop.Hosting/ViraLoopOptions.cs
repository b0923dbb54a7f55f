using Microsoft.Extensions.Configuration;

namespace ViraLoop.Hosting;

/// <summary>
/// Every silo and client reads the <c>ViraLoop</c> configuration section (environment: <c>ViraLoop__Name</c>).
/// Grain code never sees these: it is the same in both modes.
/// </summary>
public sealed class ViraLoopOptions
{
    public const string Section = "ViraLoop";

    /// <summary><c>embedded</c> (one process, localhost clustering, SQLite) or <c>cluster</c> (PostgreSQL + RabbitMQ).</summary>
    public string Mode { get; set; } = "embedded";

    /// <summary>The silo's name in membership, logs and dashboards.</summary>
    public string? SiloId { get; set; }

    /// <summary>Comma list of roles; <c>gpu</c> makes the silo host inference grains.</summary>
    public string? Roles { get; set; }

    /// <summary>SQLite file for grain state and reminders (embedded).</summary>
    public string Database { get; set; } = ".viraloop/state.db";

    /// <summary>Npgsql connection string (cluster): membership, grain state, reminders.</summary>
    public string? Postgres { get; set; }

    /// <summary>AMQP URI (cluster): the persistent stream provider's queues.</summary>
    public string? RabbitMq { get; set; }

    /// <summary>
    /// RabbitMQ's management API (http://user:password@host:15672/), read by the dashboard's stream-queue page. Default:
    /// the AMQP host and credentials on port 15672.
    /// </summary>
    public string? RabbitMqManagement { get; set; }

    /// <summary><see cref="RabbitMqManagement"/> or the default derived from <see cref="RabbitMq"/>; null without RabbitMQ.</summary>
    public Uri? RabbitMqManagementUri
    {
        get
        {
            if (RabbitMqManagement is { Length: > 0 } m && Uri.TryCreate(m, UriKind.Absolute, out var given)) return given;
            if (RabbitMq is not { Length: > 0 } amqp || !Uri.TryCreate(amqp, UriKind.Absolute, out var a)) return null;
            return new UriBuilder("http", a.Host, 15672) { UserName = a.UserInfo.Split(':')[0], Password = a.UserInfo.Split(':').ElementAtOrDefault(1) ?? "" }.Uri;
        }
    }

    /// <summary>The RabbitMQ virtual host of <see cref="RabbitMq"/> ("/" when the URI names none).</summary>
    public string RabbitMqVirtualHost =>
        RabbitMq is { Length: > 0 } amqp && Uri.TryCreate(amqp, UriKind.Absolute, out var a) && a.AbsolutePath.Trim('/') is { Length: > 0 } v
            ? Uri.UnescapeDataString(v) : "/";

    public string ClusterId { get; set; } = "viraloop";
    public string ServiceId { get; set; } = "viraloop";

    /// <summary>Silo-to-silo port; 0 picks a free one (embedded and tests).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port; 0 picks a free one.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos reach this one at (cluster, outside Kubernetes); default: the host's first non-loopback
    /// IPv4 address (loopback where it has none). Set it to 127.0.0.1 for a cluster on one machine.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Inference slots a GPU silo offers (concurrent inference activations it wants).</summary>
    public int GpuSlots { get; set; } = 4;

    /// <summary>The device a GPU silo names: a GPU model; default what <c>nvidia-smi</c> reports, or <c>cpu</c> when there is no GPU.</summary>
    public string? GpuDevice { get; set; }

    /// <summary>RabbitMQ stream queues (cluster); every silo and client must agree.</summary>
    public int StreamQueues { get; set; } = 8;

    /// <summary>Name prefix of the RabbitMQ stream queues (cluster); one cluster, one prefix.</summary>
    public string StreamQueuePrefix { get; set; } = "vl-streams";

    /// <summary>
    /// How often a silo's pulling agents take what their RabbitMQ consumers received (cluster), in milliseconds: the
    /// delay progress crosses silos with. Default 20 (Orleans' default is 100).
    /// </summary>
    public int StreamPollMilliseconds { get; set; } = 20;

    /// <summary>
    /// Membership probe timeout. The defaults (2 s × 3 missed probes) declare a dead silo dead in about 3–6 s and ride
    /// out a GC pause or CPU throttling of a few seconds; on loopback 1 s × 2 detects in about 1 s (the tests' setting).
    /// </summary>
    public double ProbeTimeoutSeconds { get; set; } = 2;

    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>
    /// How often a silo writes its "I am alive" row. A silo that joins after the whole cluster died waits until the dead
    /// members' rows are 3 periods old (Orleans' default 30 s period made a restarted cluster wait 90 s).
    /// </summary>
    public double IAmAliveSeconds { get; set; } = 10;

    /// <summary>How long a grain call waits for its answer (silos and clients); calls in flight to a dead silo fail after this.</summary>
    public double ResponseTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// The blob store: a directory every silo mounts (a ReadWriteMany volume on Kubernetes) for voices, previews, clips,
    /// videos, HLS and manifests. Default: <c>blobs</c> beside <see cref="Database"/>.
    /// </summary>
    public string? Blobs { get; set; }

    /// <summary>
    /// The C2PA signing certificate (PEM; intermediates may follow it) every video's manifest is signed with; with
    /// <see cref="C2paKey"/>. Unset: a development CA made once in <c>dev-ca</c> beside <see cref="Database"/>.
    /// </summary>
    public string? C2paCertificate { get; set; }

    /// <summary>The C2PA signing certificate's private key (PEM, P-256, PKCS#8 or SEC1).</summary>
    public string? C2paKey { get; set; }

    /// <summary>The C2PA key settings these options name.</summary>
    public ViraLoop.Media.Provenance.C2paKeyOptions C2paKeyOptions =>
        new(C2paCertificate, C2paKey, Path.Combine(Path.GetDirectoryName(Database) is { Length: > 0 } d ? d : ".", "dev-ca"));

    /// <summary>Long CPU steps (TTS, encodes) one silo runs at once; default: its core count.</summary>
    public int? CpuSlots { get; set; }

    /// <summary>A GPU work lease lasts this long unless its worker renews it (a dead or hung worker's work is redone after it).</summary>
    public double LeaseSeconds { get; set; } = 30;

    /// <summary>How often an unfinished job's reminder fires (it brings the job back when its silo died).</summary>
    public double JobReminderSeconds { get; set; } = 5;

    /// <summary>DNA similarity (cosine, 0–1) at or above which a finished video is flagged as a near duplicate of an earlier video of its tenant.</summary>
    public double NearDuplicateThreshold { get; set; } = ViraLoop.Media.Dna.DnaIndex.DefaultNearDuplicateThreshold;

    /// <summary>The visual backend jobs use unless they name one: procedural, openai-image or runway. Read live: a change applies without a restart.</summary>
    public string VisualBackend { get; set; } = "procedural";

    /// <summary>Tenant plans: <c>acme=3:high,beta=1:standard</c> (weight in fair sharing : highest priority). Others: weight 1, standard.</summary>
    public string? Tenants { get; set; }

    /// <summary>The default plan's limits (a tenant an admin has not given a plan): videos a day, rendered seconds a month, API requests a minute.</summary>
    public int PlanVideosPerDay { get; set; } = 200;
    public double PlanRenderedSecondsPerMonth { get; set; } = 36_000;
    public int PlanRequestsPerMinute { get; set; } = 600;

    /// <summary>The default plan's limit on unfinished jobs a tenant has at once.</summary>
    public int PlanConcurrentJobs { get; set; } = 20;

    /// <summary>
    /// The admin key (header <c>X-Admin-Key</c>): creates and revokes tenants' API keys and sets their plans. Unset: the
    /// admin endpoints answer 403 (use <c>viraloop keys</c> on a cluster member instead).
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>HS256 key (at least 32 bytes of text) for JWT bearer tokens whose <c>tenant</c> claim names the tenant. Unset: API keys only.</summary>
    public string? JwtSigningKey { get; set; }
    public string? JwtIssuer { get; set; }
    public string? JwtAudience { get; set; }

    /// <summary>Run under Orleans' Kubernetes hosting (pod name, IP and cluster ids from the pod's environment; dead silos' pods deleted).</summary>
    public bool Kubernetes { get; set; }

    /// <summary>OTLP/HTTP endpoint for traces and metrics (also <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</summary>
    public string? Otlp { get; set; }

    /// <summary>
    /// Propagate trace context on every grain call (Orleans' activity propagation). It costs about a quarter of the
    /// in-process call rate, so by default it is on only when traces go somewhere (<see cref="Otlp"/> is set).
    /// </summary>
    public bool? Tracing { get; set; }

    public bool TracingEnabled => Tracing ?? !string.IsNullOrWhiteSpace(OtlpEndpoint);

    /// <summary>The OTLP endpoint from <see cref="Otlp"/> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string? OtlpEndpoint => Otlp is { Length: > 0 } ? Otlp : Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT");

    /// <summary>The blob store's directory (<see cref="Blobs"/>, or <c>blobs</c> beside the database).</summary>
    public string BlobDirectory => Path.GetFullPath(Blobs is { Length: > 0 } b ? b : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(Database)) ?? ".", "blobs"));

    /// <summary>
    /// ClickHouse's HTTP endpoint for engagement analytics (e.g. http://127.0.0.1:8123/?database=viraloop); default
    /// <c>VIRALOOP_CLICKHOUSE</c>; <c>embedded</c> forces the embedded store. Without it, engagement goes to the embedded SQLite store <see cref="AnalyticsDatabase"/>.
    /// </summary>
    public string? ClickHouse { get; set; }

    /// <summary>The embedded analytics store's SQLite file when ClickHouse is not configured (default <c>analytics.db</c> beside the database).</summary>
    public string? AnalyticsDatabase { get; set; }

    public string? ClickHouseEndpoint => ClickHouse switch
    {
        "embedded" => null, // the embedded store even where VIRALOOP_CLICKHOUSE is set
        { Length: > 0 } c => c,
        _ => Environment.GetEnvironmentVariable("VIRALOOP_CLICKHOUSE") is { Length: > 0 } e ? e : null,
    };

    public string AnalyticsPath => Path.GetFullPath(AnalyticsDatabase is { Length: > 0 } a ? a : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(Database)) ?? ".", "analytics.db"));

    public bool IsCluster => string.Equals(Mode, "cluster", StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<string> RoleList => (Roles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// These options as the environment variables a silo process reads (<c>ViraLoop__Name</c>), for starting silos
    /// (tests, benchmarks, scripts); knobs left unset are left out.
    /// </summary>
    public Dictionary<string, string> ToEnvironment()
    {
        var env = new Dictionary<string, string>();
        foreach (var property in typeof(ViraLoopOptions).GetProperties())
        {
            if (!property.CanWrite || property.GetValue(this) is not { } value) continue;
            env[$"{Section}__{property.Name}"] = value switch
            {
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
        }
        return env;
    }

    public static ViraLoopOptions From(IConfiguration configuration)
    {
        var o = new ViraLoopOptions();
        configuration.GetSection(Section).Bind(o);
        o.Validate();
        return o;
    }

    /// <summary>Throws with a message that says which knob is wrong and how to set it.</summary>
    public void Validate()
    {
        if (!IsCluster && !string.Equals(Mode, "embedded", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"ViraLoop:Mode must be 'embedded' or 'cluster', not '{Mode}'.");
        if (IsCluster && string.IsNullOrWhiteSpace(Postgres))
            throw new InvalidOperationException("Cluster mode needs ViraLoop:Postgres (an Npgsql connection string; environment ViraLoop__Postgres).");
        if (IsCluster && string.IsNullOrWhiteSpace(RabbitMq))
            throw new InvalidOperationException("Cluster mode needs ViraLoop:RabbitMq (an AMQP URI; environment ViraLoop__RabbitMq).");
        if (string.IsNullOrWhiteSpace(C2paCertificate) != string.IsNullOrWhiteSpace(C2paKey))
            throw new InvalidOperationException("C2PA signing needs both ViraLoop:C2paCertificate and ViraLoop:C2paKey (PEM files; environment ViraLoop__C2paCertificate, ViraLoop__C2paKey), or neither for the development CA.");
        if (CpuSlots is < 1) throw new InvalidOperationException("ViraLoop:CpuSlots must be at least 1.");
        if (LeaseSeconds <= 0 || JobReminderSeconds <= 0) throw new InvalidOperationException("ViraLoop:LeaseSeconds and JobReminderSeconds must be positive.");
        try { ViraLoop.Grains.Execution.PipelineOptions.ParseTenants(Tenants); }
        catch (ArgumentException e) { throw new InvalidOperationException($"ViraLoop:Tenants: {e.Message}"); }
        if (NearDuplicateThreshold is <= 0 or > 1 || double.IsNaN(NearDuplicateThreshold))
            throw new InvalidOperationException($"ViraLoop:NearDuplicateThreshold is a cosine similarity in (0, 1]; got {NearDuplicateThreshold}.");
        if (GpuSlots < 1) throw new InvalidOperationException("ViraLoop:GpuSlots must be at least 1.");
        if (PlanVideosPerDay < 0 || PlanRenderedSecondsPerMonth < 0 || PlanRequestsPerMinute < 1)
            throw new InvalidOperationException("ViraLoop:PlanVideosPerDay and PlanRenderedSecondsPerMonth must be at least 0, PlanRequestsPerMinute at least 1.");
        if (JwtSigningKey is { Length: > 0 and < 32 }) throw new InvalidOperationException("ViraLoop:JwtSigningKey must be at least 32 characters (HS256).");
        if (StreamQueues < 1) throw new InvalidOperationException("ViraLoop:StreamQueues must be at least 1.");
        if (ClickHouseEndpoint is { } clickHouse)
        {
            try { ViraLoop.Analytics.EngagementStores.ParseClickHouseUrl(clickHouse); }
            catch (ArgumentException e) { throw new InvalidOperationException($"ViraLoop:ClickHouse (or VIRALOOP_CLICKHOUSE): {e.Message}", e); }
        }
        if (ProbeTimeoutSeconds <= 0 || MissedProbesLimit < 1 || ResponseTimeoutSeconds <= 0 || IAmAliveSeconds <= 0)
            throw new InvalidOperationException("ViraLoop:ProbeTimeoutSeconds, MissedProbesLimit, IAmAliveSeconds and ResponseTimeoutSeconds must be positive.");
    }
}
