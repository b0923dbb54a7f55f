namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// Settings of Runway's developer API (docs.dev.runwayml.com): the key (Bearer, from RUNWAYML_API_SECRET), the host
/// (<c>https://api.dev.runwayml.com</c>), the X-Runway-Version the requests are written against, the text-to-video model and
/// the pixel ratio asked for (portrait <c>720:1280</c>; the downloaded clip is then fitted to the job's exact size).
/// </summary>
public sealed record RunwayBackendOptions(
    string ApiKey,
    string BaseUrl = RunwayBackendOptions.DefaultBaseUrl,
    string Model = "gen4.5",
    string Ratio = "720:1280",
    string ApiVersion = RunwayBackendOptions.DefaultApiVersion,
    string ApiKeyVariable = "RUNWAYML_API_SECRET")
{
    public const string DefaultBaseUrl = "https://api.dev.runwayml.com";
    public const string DefaultApiVersion = "2024-11-06";

    /// <summary>What downloading a task's output may fetch: size, type, time, redirects (never a private address).</summary>
    public DownloadLimits Downloads { get; init; } = DownloadLimits.Default;

    /// <summary>From RUNWAYML_API_SECRET, RUNWAYML_BASE_URL and RUNWAY_MODEL (defaults: the public host, gen4.5).</summary>
    public static RunwayBackendOptions FromEnvironment() => new(
        Environment.GetEnvironmentVariable("RUNWAYML_API_SECRET") ?? "",
        Environment.GetEnvironmentVariable("RUNWAYML_BASE_URL") is { Length: > 0 } b ? b : DefaultBaseUrl,
        Environment.GetEnvironmentVariable("RUNWAY_MODEL") is { Length: > 0 } m ? m : "gen4.5");
}
