using System.Text;
using YamlDotNet.Core;

namespace ViraLoop.Deploy.Tests;

/// <summary>One YAML document of one file under k8s/.</summary>
internal sealed record Manifest(string File, int Index, YamlNode Root)
{
    public YamlMappingNode? Map => Root as YamlMappingNode;
    public string? ApiVersion => Root.Str("apiVersion");
    public string? Kind => Root.Str("kind");
    public string? Name => Root.Str("metadata", "name");
    public override string ToString() => $"{Kind ?? "?"}/{Name ?? "?"} ({File}, document {Index + 1})";
}

/// <summary>An environment variable as the container will see it, with where it comes from.</summary>
internal sealed record EnvVar(string Name, string? Value, YamlNode? ValueFrom, string Origin)
{
    public string? FieldPath => ValueFrom.Str("fieldRef", "fieldPath");
    public string? SecretName => ValueFrom.Str("secretKeyRef", "name");
    public string? SecretKey => ValueFrom.Str("secretKeyRef", "key");
}

internal static class Repo
{
    public static string Root { get; } = FindRoot();
    public static string K8s => Path.Combine(Root, "k8s");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ViraLoop.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No folder containing ViraLoop.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>File names (not paths) of every *.yaml / *.yml in k8s/.</summary>
    public static IReadOnlyList<string> YamlFiles { get; } = Directory.EnumerateFiles(K8s)
        .Select(Path.GetFileName).OfType<string>()
        .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        .Order(StringComparer.Ordinal).ToList();

    private static readonly Lazy<IReadOnlyList<Manifest>> _all = new(Load);
    public static IReadOnlyList<Manifest> All => _all.Value;

    private static IReadOnlyList<Manifest> Load()
    {
        var list = new List<Manifest>();
        foreach (var file in YamlFiles)
        {
            var stream = new YamlStream();
            try
            {
                using var reader = new StreamReader(Path.Combine(K8s, file), Encoding.UTF8);
                stream.Load(reader);
            }
            catch (YamlException e)
            {
                throw new InvalidOperationException($"k8s/{file} is not valid YAML: {e.Message} at {e.Start}", e);
            }
            for (var i = 0; i < stream.Documents.Count; i++) list.Add(new Manifest(file, i, stream.Documents[i].RootNode));
        }
        return list;
    }

    public static IEnumerable<Manifest> OfKind(string kind) => All.Where(m => m.Kind == kind);

    public static Manifest Single(string kind, string name)
    {
        var found = All.Where(m => m.Kind == kind && m.Name == name).ToList();
        Assert.True(found.Count == 1, $"Expected exactly one {kind} named '{name}' in k8s/, found {found.Count}: [{string.Join(", ", found)}].");
        return found[0];
    }

    public static Manifest? Find(string kind, string name) => All.FirstOrDefault(m => m.Kind == kind && m.Name == name);
}

internal static class Yaml
{
    public static YamlNode? Get(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map) return null;
            node = map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
        }
        return node;
    }

    public static string? Str(this YamlNode? node, params string[] path) => (node.Get(path) as YamlScalarNode)?.Value;

    public static IReadOnlyList<YamlNode> Seq(this YamlNode? node, params string[] path) =>
        node.Get(path) is YamlSequenceNode seq ? seq.Children.ToList() : [];

    public static IReadOnlyList<string> Strings(this YamlNode? node, params string[] path) =>
        node.Seq(path).OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList();

    public static IReadOnlyDictionary<string, string> StringMap(this YamlNode? node, params string[] path) =>
        node.Get(path) is YamlMappingNode map
            ? map.Children.Where(kv => kv.Key is YamlScalarNode && kv.Value is YamlScalarNode)
                .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => ((YamlScalarNode)kv.Value).Value ?? "")
            : new Dictionary<string, string>();
}

internal static class Workloads
{
    public static YamlNode PodSpec(Manifest workload)
    {
        var spec = workload.Root.Get("spec", "template", "spec");
        Assert.True(spec is YamlMappingNode, $"{workload} has no spec.template.spec.");
        return spec!;
    }

    public static IReadOnlyDictionary<string, string> PodLabels(Manifest workload) =>
        workload.Root.StringMap("spec", "template", "metadata", "labels");

    public static IReadOnlyList<YamlNode> Containers(Manifest workload) => PodSpec(workload).Seq("containers");

    public static IReadOnlyList<YamlNode> InitContainers(Manifest workload) => PodSpec(workload).Seq("initContainers");

    /// <summary>The container named like the workload, else its only container.</summary>
    public static YamlNode MainContainer(Manifest workload)
    {
        var containers = Containers(workload);
        var main = containers.FirstOrDefault(c => c.Str("name") == workload.Name) ?? (containers.Count == 1 ? containers[0] : null);
        Assert.True(main is not null, $"{workload}: no container named '{workload.Name}' (containers: {string.Join(", ", containers.Select(c => c.Str("name")))}).");
        return main!;
    }

    /// <summary>
    /// The container's environment after Kubernetes' rules: envFrom (ConfigMap data resolved from k8s/, Secret keys
    /// resolved from k8s/ with no value) first, then env entries override.
    /// </summary>
    public static IReadOnlyDictionary<string, EnvVar> Env(YamlNode container)
    {
        var env = new Dictionary<string, EnvVar>(StringComparer.Ordinal);
        foreach (var source in container.Seq("envFrom"))
        {
            var prefix = source.Str("prefix") ?? "";
            if (source.Str("configMapRef", "name") is { } cm)
                foreach (var (k, v) in Repo.Single("ConfigMap", cm).Root.StringMap("data"))
                    env[prefix + k] = new EnvVar(prefix + k, v, null, $"ConfigMap {cm}");
            if (source.Str("secretRef", "name") is { } secret)
                foreach (var k in SecretKeys(secret))
                    env[prefix + k] = new EnvVar(prefix + k, null, null, $"Secret {secret} (envFrom)");
        }
        foreach (var entry in container.Seq("env"))
        {
            var name = entry.Str("name") ?? "";
            env[name] = new EnvVar(name, entry.Str("value"), entry.Get("valueFrom"), "env");
        }
        return env;
    }

    public static IReadOnlySet<string> SecretKeys(string secretName)
    {
        var secret = Repo.Find("Secret", secretName);
        if (secret is null) return new HashSet<string>();
        return secret.Root.StringMap("stringData").Keys.Concat(secret.Root.StringMap("data").Keys).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The command line of a container: command followed by args.</summary>
    public static IReadOnlyList<string> CommandLine(YamlNode container) =>
        container.Strings("command").Concat(container.Strings("args")).ToList();

    public static bool RunsDbMigrate(YamlNode container)
    {
        var words = CommandLine(container).SelectMany(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        for (var i = 0; i + 1 < words.Count; i++)
            if (words[i] == "db" && words[i + 1] == "migrate") return true;
        return false;
    }

    /// <summary>Fails unless <paramref name="name"/> is set from a secretKeyRef to a key that the Secret in k8s/ defines.</summary>
    public static void AssertFromSecretKeyRef(string what, IReadOnlyDictionary<string, EnvVar> env, string name)
    {
        Assert.True(env.TryGetValue(name, out var v), $"{what}: {name} is not set.");
        Assert.True(v!.Value is null, $"{what}: {name} has a literal value (from {v.Origin}); it must come from a Secret via secretKeyRef.");
        Assert.True(v.SecretName is not null && v.SecretKey is not null,
            $"{what}: {name} must be set with valueFrom.secretKeyRef (it comes from {v.Origin}{(v.ValueFrom is null ? "" : " with another valueFrom")}).");
        Assert.True(SecretKeys(v.SecretName!).Contains(v.SecretKey!),
            $"{what}: {name} refers to key '{v.SecretKey}' of Secret '{v.SecretName}', which k8s/ does not define.");
    }
}
