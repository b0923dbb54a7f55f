using ViraLoop.Media.Visuals.Backends;

namespace ViraLoop.Grains.Execution;

/// <summary>
/// The visual backends a GPU worker can run, by name: <c>procedural</c> (the local renderer, default), <c>openai-image</c>
/// (an OpenAI-compatible image endpoint, one still per scene given motion) and <c>runway</c> (text-to-video, create → poll →
/// download). <see cref="Default"/> is read on every use, so a configuration change applies without a restart.
/// </summary>
public sealed class VisualBackendCatalog(Func<string> defaultName, IReadOnlyDictionary<string, Func<IVisualBackend>> remote)
{
    public const string Procedural = "procedural";

    public string Default
    {
        get
        {
            var name = defaultName();
            return string.IsNullOrWhiteSpace(name) ? Procedural : name.Trim().ToLowerInvariant();
        }
    }

    public IEnumerable<string> Names => remote.Keys.Prepend(Procedural);

    public bool Knows(string name) => name == Procedural || remote.ContainsKey(name);

    /// <summary>The remote backend, or null for the procedural renderer.</summary>
    public IVisualBackend? Create(string name) =>
        name == Procedural ? null
        : remote.TryGetValue(name, out var make) ? make()
        : throw new ArgumentException($"Unknown visual backend '{name}'. Known: {string.Join(", ", Names)}.");

    /// <summary>What decides the backend's pixels besides the scene (part of the cache key).</summary>
    public string Version(string name) => name == Procedural ? "procedural-1" : Create(name)!.Version;

    /// <summary>The default catalog: remote backends configured from the environment (keys never from arguments).</summary>
    public static VisualBackendCatalog FromEnvironment(Func<string> defaultName, HttpClient http) => new(defaultName,
        new Dictionary<string, Func<IVisualBackend>>
        {
            ["openai-image"] = () => new OpenAiImageBackend(http, OpenAiImageBackendOptions.FromEnvironment()),
            ["runway"] = () => new RunwayVideoBackend(http, RunwayBackendOptions.FromEnvironment()),
        });
}
