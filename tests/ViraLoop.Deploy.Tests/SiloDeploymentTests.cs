namespace ViraLoop.Deploy.Tests;

/// <summary>Contracts shared by the CPU silo (silo) and the GPU silo (gpu-silo) Deployments.</summary>
public sealed class SiloDeploymentTests
{
    public static TheoryData<string> Silos => new() { "silo", "gpu-silo" };

    private static Manifest Deployment(string name) => Repo.Single("Deployment", name);

    private static IReadOnlyDictionary<string, EnvVar> Env(string name) => Workloads.Env(Workloads.MainContainer(Deployment(name)));

    [Theory]
    [MemberData(nameof(Silos))]
    public void DeclaresHttpSiloAndGatewayPorts(string name)
    {
        var ports = Workloads.MainContainer(Deployment(name)).Seq("ports").Select(p => p.Str("containerPort")).ToList();
        foreach (var (port, role) in new[] { ("8080", "HTTP"), ("11111", "Orleans silo-to-silo"), ("30000", "Orleans gateway") })
            Assert.True(ports.Contains(port), $"Deployment {name}: containerPort {port} ({role}) is not declared; ports: [{string.Join(", ", ports)}].");
    }

    [Theory]
    [MemberData(nameof(Silos))]
    public void ReadinessProbeIsHttpGetOnHealthOnTheHttpPort(string name)
    {
        var container = Workloads.MainContainer(Deployment(name));
        var probe = container.Get("readinessProbe");
        Assert.True(probe is not null, $"Deployment {name}: no readinessProbe.");
        Assert.True(probe.Get("httpGet") is not null, $"Deployment {name}: readinessProbe must be an httpGet (it is: {string.Join(", ", ((YamlMappingNode)probe!).Children.Keys)}).");
        Assert.True(probe.Str("httpGet", "path") == "/health", $"Deployment {name}: readinessProbe path is '{probe.Str("httpGet", "path")}', expected /health.");

        var port = probe.Str("httpGet", "port");
        var httpPortNames = container.Seq("ports").Where(p => p.Str("containerPort") == "8080").Select(p => p.Str("name")).ToList();
        Assert.True(port == "8080" || (port is not null && httpPortNames.Contains(port)),
            $"Deployment {name}: readinessProbe port '{port}' is not the HTTP port 8080 (or its name).");
    }

    [Theory]
    [MemberData(nameof(Silos))]
    public void LivenessProbeIsGenerous(string name)
    {
        var probe = Workloads.MainContainer(Deployment(name)).Get("livenessProbe");
        Assert.True(probe is not null, $"Deployment {name}: no livenessProbe (a hung silo would never be restarted).");
        var period = int.Parse(probe.Str("periodSeconds") ?? "10");
        var failures = int.Parse(probe.Str("failureThreshold") ?? "3");
        Assert.True(period * failures >= 60,
            $"Deployment {name}: livenessProbe restarts after {period}s x {failures} = {period * failures}s; /health is 503 whenever the silo is briefly not Active, so allow at least 60s.");
    }

    [Theory]
    [MemberData(nameof(Silos))]
    public void RunsInClusterModeWithKubernetesHosting(string name)
    {
        var env = Env(name);
        Assert.True(env.TryGetValue("ViraLoop__Mode", out var mode) && mode.Value == "cluster",
            $"Deployment {name}: ViraLoop__Mode must be 'cluster' (it is '{(env.TryGetValue("ViraLoop__Mode", out var m) ? m.Value : "unset")}').");
        Assert.True(env.TryGetValue("ViraLoop__Kubernetes", out var k8s) && string.Equals(k8s.Value, "true", StringComparison.OrdinalIgnoreCase),
            $"Deployment {name}: ViraLoop__Kubernetes must be 'true' to switch on Orleans' Kubernetes hosting.");
    }

    [Theory]
    [MemberData(nameof(Silos))]
    public void ConnectionStringsComeFromSecretKeyRefs(string name)
    {
        var env = Env(name);
        Workloads.AssertFromSecretKeyRef($"Deployment {name}", env, "ViraLoop__Postgres");
        Workloads.AssertFromSecretKeyRef($"Deployment {name}", env, "ViraLoop__RabbitMq");
    }

    [Theory]
    [MemberData(nameof(Silos))]
    public void PodIdentityComesFromTheDownwardApi(string name)
    {
        var env = Env(name);
        foreach (var (variable, field) in new[]
        {
            ("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace"), ("POD_IP", "status.podIP"),
            ("ViraLoop__SiloId", "metadata.name"), ("ViraLoop__AdvertisedAddress", "status.podIP"),
        })
        {
            Assert.True(env.TryGetValue(variable, out var v), $"Deployment {name}: {variable} is not set.");
            Assert.True(v!.FieldPath == field, $"Deployment {name}: {variable} must come from fieldRef {field} (it is {(v.FieldPath is null ? $"'{v.Value}' from {v.Origin}" : $"fieldRef {v.FieldPath}")}).");
        }
    }

    [Theory]
    [MemberData(nameof(Silos))]
    public void OrleansIdsEqualThePodLabels(string name)
    {
        var labels = Workloads.PodLabels(Deployment(name));
        var env = Env(name);
        foreach (var (label, variables) in new[]
        {
            ("orleans/serviceId", new[] { "ORLEANS_SERVICE_ID", "ViraLoop__ServiceId" }),
            ("orleans/clusterId", new[] { "ORLEANS_CLUSTER_ID", "ViraLoop__ClusterId" }),
        })
        {
            Assert.True(labels.TryGetValue(label, out var expected) && expected.Length > 0, $"Deployment {name}: pod template lacks the label {label}.");
            foreach (var variable in variables)
            {
                Assert.True(env.TryGetValue(variable, out var v), $"Deployment {name}: {variable} is not set.");
                var actual = v!.Value ?? (v.FieldPath == $"metadata.labels['{label}']" ? expected : null);
                Assert.True(actual == expected, $"Deployment {name}: {variable} is '{actual ?? v.FieldPath ?? "(from " + v.Origin + ")"}' but the pod label {label} is '{expected}'.");
            }
        }
    }

    [Fact]
    public void BothSilosJoinTheSameOrleansCluster()
    {
        var cpu = Workloads.PodLabels(Deployment("silo"));
        var gpu = Workloads.PodLabels(Deployment("gpu-silo"));
        foreach (var label in new[] { "orleans/serviceId", "orleans/clusterId" })
            Assert.True(cpu.GetValueOrDefault(label) is { Length: > 0 } v && v == gpu.GetValueOrDefault(label),
                $"Label {label} differs between silo ('{cpu.GetValueOrDefault(label)}') and gpu-silo ('{gpu.GetValueOrDefault(label)}'): they would form two clusters.");
    }

    [Theory]
    [MemberData(nameof(Silos))]
    public void ServiceAccountIsBoundToARoleWithOrleansPodVerbs(string name)
    {
        var account = Workloads.PodSpec(Deployment(name)).Str("serviceAccountName");
        Assert.True(!string.IsNullOrEmpty(account) && account != "default", $"Deployment {name}: set a dedicated serviceAccountName (it is '{account ?? "unset"}').");
        Repo.Single("ServiceAccount", account!);
        Assert.True(Workloads.PodSpec(Deployment(name)).Str("automountServiceAccountToken") != "false",
            $"Deployment {name}: automountServiceAccountToken is false, so Orleans cannot reach the Kubernetes API.");

        var roles = Repo.OfKind("RoleBinding")
            .Where(b => b.Root.Seq("subjects").Any(s => s.Str("kind") == "ServiceAccount" && s.Str("name") == account))
            .Where(b => b.Root.Str("roleRef", "kind") == "Role")
            .Select(b => b.Root.Str("roleRef", "name")).OfType<string>().ToList();
        Assert.True(roles.Count > 0, $"No RoleBinding binds ServiceAccount {account} to a Role.");

        string[] needed = ["get", "watch", "list", "delete", "patch"];
        var verbs = roles.Select(r => Repo.Find("Role", r)).OfType<Manifest>()
            .SelectMany(r => r.Root.Seq("rules"))
            .Where(rule => rule.Strings("apiGroups").Contains("") && rule.Strings("resources").Any(x => x is "pods" or "*"))
            .SelectMany(rule => rule.Strings("verbs")).ToHashSet();
        var missing = verbs.Contains("*") ? [] : needed.Except(verbs).ToList();
        Assert.True(missing.Count == 0,
            $"The Roles bound to {account} ([{string.Join(", ", roles)}]) do not allow [{string.Join(", ", missing)}] on pods in the core API group; Orleans' Kubernetes hosting needs {string.Join(", ", needed)}.");
    }

    [Theory]
    [MemberData(nameof(Silos))]
    public void TerminationGracePeriodIsAtLeastSixtySeconds(string name)
    {
        var value = Workloads.PodSpec(Deployment(name)).Str("terminationGracePeriodSeconds");
        Assert.True(int.TryParse(value, out var seconds) && seconds >= 60,
            $"Deployment {name}: terminationGracePeriodSeconds is '{value ?? "unset (30)"}'; Orleans needs at least 60 s to drain on SIGTERM.");
    }

    [Theory]
    [MemberData(nameof(Silos))]
    public void SchemaIsMigratedBeforeTheSiloStarts(string name)
    {
        var migrate = Workloads.InitContainers(Deployment(name)).FirstOrDefault(Workloads.RunsDbMigrate);
        Assert.True(migrate is not null, $"Deployment {name}: no init container runs `db migrate`, so the silo may start before the schema exists.");
        Workloads.AssertFromSecretKeyRef($"Deployment {name}, init container {migrate!.Str("name")}", Workloads.Env(migrate), "ViraLoop__Postgres");
    }

    [Theory]
    [MemberData(nameof(Silos))]
    public void HasItsOwnAutoscalerAndDisruptionBudget(string name)
    {
        var hpas = Repo.OfKind("HorizontalPodAutoscaler")
            .Where(h => h.Root.Str("spec", "scaleTargetRef", "kind") == "Deployment" && h.Root.Str("spec", "scaleTargetRef", "name") == name).ToList();
        Assert.True(hpas.Count == 1, $"Expected one HorizontalPodAutoscaler targeting Deployment {name}, found {hpas.Count}.");
        Assert.True(int.TryParse(hpas[0].Root.Str("spec", "minReplicas"), out var min) && min >= 1
                    && int.TryParse(hpas[0].Root.Str("spec", "maxReplicas"), out var max) && max > min,
            $"{hpas[0]}: needs minReplicas ≥ 1 and maxReplicas > minReplicas.");
        Assert.True(Deployment(name).Root.Get("spec", "replicas") is null,
            $"Deployment {name} sets spec.replicas, which every apply resets under its HorizontalPodAutoscaler.");

        var labels = Workloads.PodLabels(Deployment(name));
        var pdbs = Repo.OfKind("PodDisruptionBudget")
            .Where(p => p.Root.StringMap("spec", "selector", "matchLabels") is { Count: > 0 } sel && sel.All(kv => labels.GetValueOrDefault(kv.Key) == kv.Value)).ToList();
        Assert.True(pdbs.Count == 1, $"Expected one PodDisruptionBudget selecting Deployment {name}'s pods, found {pdbs.Count}.");
    }

    [Fact]
    public void CpuSiloAutoscalesOnCpu()
    {
        var hpa = Repo.OfKind("HorizontalPodAutoscaler").Single(h => h.Root.Str("spec", "scaleTargetRef", "name") == "silo");
        Assert.True(hpa.Root.Seq("spec", "metrics").Any(m => m.Str("type") == "Resource" && m.Str("resource", "name") == "cpu"),
            $"{hpa}: no Resource metric on cpu.");
        Assert.True(Workloads.MainContainer(Deployment("silo")).Str("resources", "requests", "cpu") is not null,
            "Deployment silo: CPU utilisation autoscaling needs resources.requests.cpu.");
    }

    [Fact]
    public void GpuSiloRequestsAGpuAndHasTheGpuRole()
    {
        var deployment = Deployment("gpu-silo");
        var container = Workloads.MainContainer(deployment);
        var limit = container.Str("resources", "limits", "nvidia.com/gpu");
        Assert.True(int.TryParse(limit, out var gpus) && gpus >= 1, $"Deployment gpu-silo: resources.limits nvidia.com/gpu is '{limit ?? "unset"}', expected ≥ 1.");

        var env = Workloads.Env(container);
        var roles = env.GetValueOrDefault("ViraLoop__Roles")?.Value ?? "";
        Assert.True(roles.Split(',', StringSplitOptions.TrimEntries).Contains("gpu"), $"Deployment gpu-silo: ViraLoop__Roles is '{roles}', expected it to contain 'gpu'.");
        var slots = env.GetValueOrDefault("ViraLoop__GpuSlots")?.Value;
        Assert.True(int.TryParse(slots, out var n) && n >= 1, $"Deployment gpu-silo: ViraLoop__GpuSlots is '{slots ?? "unset"}', expected a positive number.");
        var device = env.GetValueOrDefault("ViraLoop__GpuDevice")?.Value;
        Assert.True(!string.IsNullOrWhiteSpace(device) && device != "cpu", $"Deployment gpu-silo: ViraLoop__GpuDevice is '{device ?? "unset"}', expected a GPU model such as nvidia-l4.");

        var spec = Workloads.PodSpec(deployment);
        Assert.True(spec.Get("nodeSelector") is YamlMappingNode { Children.Count: > 0 } || spec.Get("affinity", "nodeAffinity") is not null,
            "Deployment gpu-silo: no nodeSelector or node affinity for GPU nodes.");
        Assert.True(spec.Seq("tolerations").Any(t => t.Str("key") == "nvidia.com/gpu"), "Deployment gpu-silo: no toleration for the nvidia.com/gpu taint.");
    }

    [Fact]
    public void CpuSiloNeitherRequestsAGpuNorHasTheGpuRole()
    {
        var container = Workloads.MainContainer(Deployment("silo"));
        foreach (var section in new[] { "limits", "requests" })
            Assert.True(container.Get("resources", section, "nvidia.com/gpu") is null, $"Deployment silo: resources.{section} asks for nvidia.com/gpu.");
        var roles = Workloads.Env(container).GetValueOrDefault("ViraLoop__Roles")?.Value ?? "";
        Assert.False(roles.Split(',', StringSplitOptions.TrimEntries).Contains("gpu", StringComparer.OrdinalIgnoreCase),
            $"Deployment silo: ViraLoop__Roles is '{roles}'; only gpu-silo may have the gpu role.");
    }
}
