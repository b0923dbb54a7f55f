namespace ViraLoop.Deploy.Tests;

public sealed class ManifestStructureTests
{
    [Fact]
    public void K8sFolderHasManifests()
    {
        Assert.True(Repo.YamlFiles.Count > 1, $"Expected YAML manifests in {Repo.K8s}, found [{string.Join(", ", Repo.YamlFiles)}].");
        Assert.Contains("kustomization.yaml", Repo.YamlFiles);
    }

    [Fact]
    public void EveryDocumentHasApiVersionKindAndName()
    {
        var problems = new List<string>();
        foreach (var m in Repo.All)
        {
            if (m.Map is null) { problems.Add($"{m.File}, document {m.Index + 1}: not a mapping (empty document or stray '---'?)"); continue; }
            var missing = new[] { ("apiVersion", m.ApiVersion), ("kind", m.Kind), ("metadata.name", m.Name) }
                .Where(p => string.IsNullOrWhiteSpace(p.Item2)).Select(p => p.Item1).ToList();
            if (missing.Count > 0) problems.Add($"{m}: missing {string.Join(", ", missing)}");
        }
        Assert.True(problems.Count == 0, "Documents without apiVersion/kind/metadata.name:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void EveryObjectIsDeclaredOnce()
    {
        var duplicates = Repo.All.Where(m => m.Kind is not null && m.Name is not null)
            .GroupBy(m => (m.Kind, m.Name)).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.Kind}/{g.Key.Name} in {string.Join(", ", g.Select(m => m.File))}").ToList();
        Assert.True(duplicates.Count == 0, "Objects declared more than once (the later would overwrite the earlier):\n" + string.Join("\n", duplicates));
    }

    [Fact]
    public void KustomizationListsExactlyTheManifestFiles()
    {
        var kustomization = Repo.All.Where(m => m.File == "kustomization.yaml").ToList();
        Assert.True(kustomization.Count == 1 && kustomization[0].Kind == "Kustomization",
            "k8s/kustomization.yaml must hold a single document of kind Kustomization.");
        var listed = kustomization[0].Root.Strings("resources");
        var present = Repo.YamlFiles.Where(f => f != "kustomization.yaml").ToList();

        var duplicated = listed.GroupBy(f => f).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var notListed = present.Except(listed).ToList();
        var notPresent = listed.Except(present).ToList();
        Assert.True(duplicated.Count == 0 && notListed.Count == 0 && notPresent.Count == 0,
            $"kustomization.yaml resources must list every manifest in k8s/ exactly once. " +
            $"Not listed: [{string.Join(", ", notListed)}]; listed but missing: [{string.Join(", ", notPresent)}]; listed twice: [{string.Join(", ", duplicated)}].");
    }

    [Fact]
    public void KustomizationTargetsTheDeclaredNamespace()
    {
        var namespaces = Repo.OfKind("Namespace").Select(m => m.Name).ToList();
        Assert.True(namespaces.Count == 1, $"Expected one Namespace manifest, found [{string.Join(", ", namespaces)}].");
        var target = Repo.OfKind("Kustomization").Single().Root.Str("namespace");
        Assert.True(target == namespaces[0], $"kustomization.yaml namespace is '{target}', but the Namespace manifest declares '{namespaces[0]}'.");

        var elsewhere = Repo.All.Where(m => m.Root.Str("metadata", "namespace") is { } ns && ns != target).Select(m => m.ToString()).ToList();
        Assert.True(elsewhere.Count == 0, $"Objects pinned to a namespace other than '{target}': {string.Join(", ", elsewhere)}.");
    }

    [Theory]
    [InlineData("Partitions")]
    [InlineData("Prefetch")]
    [InlineData("HeartbeatSeconds")]
    [InlineData("CallTimeoutSeconds")]
    public void RemovedKnobAppearsNowhereUnderK8s(string knob)
    {
        var hits = Directory.EnumerateFiles(Repo.K8s, "*", SearchOption.AllDirectories)
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, i)))
            .Where(x => x.line.Contains(knob, StringComparison.OrdinalIgnoreCase))
            .Select(x => $"{Path.GetRelativePath(Repo.Root, x.path)}:{x.i + 1}: {x.line.Trim()}").ToList();
        Assert.True(hits.Count == 0, $"The removed setting ViraLoop__{knob} is still mentioned:\n{string.Join("\n", hits)}");
    }

    [Fact]
    public void RabbitMqNoLongerUsesTheConsistentHashPlugin()
    {
        var hits = Directory.EnumerateFiles(Repo.K8s, "*.y*ml")
            .Where(path => File.ReadAllText(path).Contains("consistent_hash", StringComparison.OrdinalIgnoreCase))
            .Select(Path.GetFileName).ToList();
        Assert.True(hits.Count == 0, $"The consistent-hash exchange plugin is no longer needed, but is enabled in: {string.Join(", ", hits)}.");
    }

    [Fact]
    public void NoConfigMapOrLiteralEnvCarriesCredentials()
    {
        static bool Sensitive(string key) =>
            new[] { "Postgres", "RabbitMq", "PASSWORD", "_PASS" }.Any(s => key.Contains(s, StringComparison.OrdinalIgnoreCase));

        var problems = new List<string>();
        foreach (var cm in Repo.OfKind("ConfigMap"))
            problems.AddRange(cm.Root.StringMap("data").Keys.Where(Sensitive).Select(k => $"{cm}: data.{k}"));
        foreach (var workload in Repo.All.Where(m => m.Kind is "Deployment" or "StatefulSet" or "Job" or "DaemonSet"))
            foreach (var c in Workloads.Containers(workload).Concat(Workloads.InitContainers(workload)))
                foreach (var e in c.Seq("env"))
                    if (Sensitive(e.Str("name") ?? "") && e.Get("value") is not null)
                        problems.Add($"{workload}, container {c.Str("name")}: {e.Str("name")} has a literal value");
        Assert.True(problems.Count == 0, "Credentials must come from the Secret via secretKeyRef:\n" + string.Join("\n", problems));
    }
}
