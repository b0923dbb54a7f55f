namespace ViraLoop.Deploy.Tests;

/// <summary>The schema migration Job and the PostgreSQL / RabbitMQ StatefulSets.</summary>
public sealed class InfrastructureTests
{
    [Fact]
    public void MigrationJobRunsDbMigrateWithPostgresFromTheSecret()
    {
        var jobs = Repo.OfKind("Job").Where(j => Workloads.Containers(j).Any(Workloads.RunsDbMigrate)).ToList();
        Assert.True(jobs.Count == 1, $"Expected one Job whose container runs `db migrate`, found {jobs.Count} (Jobs: [{string.Join(", ", Repo.OfKind("Job"))}]).");
        var job = jobs[0];
        var container = Workloads.Containers(job).First(Workloads.RunsDbMigrate);
        Assert.False(string.IsNullOrWhiteSpace(container.Str("image")), $"{job}: the db migrate container has no image.");
        Workloads.AssertFromSecretKeyRef(job.ToString(), Workloads.Env(container), "ViraLoop__Postgres");

        var restart = Workloads.PodSpec(job).Str("restartPolicy");
        Assert.True(restart is "OnFailure" or "Never", $"{job}: restartPolicy '{restart ?? "unset"}' is not valid for a Job.");
        Assert.True(int.TryParse(job.Root.Str("spec", "backoffLimit") ?? "6", out var retries) && retries >= 1,
            $"{job}: backoffLimit must allow retries while PostgreSQL is still starting.");
    }

    [Fact]
    public void MigrationUsesTheSameImageInTheJobAndTheSilos()
    {
        var images = Repo.OfKind("Job").Concat(Repo.OfKind("Deployment"))
            .SelectMany(w => Workloads.Containers(w).Concat(Workloads.InitContainers(w)).Where(Workloads.RunsDbMigrate).Select(c => (w, image: c.Str("image"))))
            .ToList();
        Assert.True(images.Count >= 1, "Nothing runs `db migrate`.");
        Assert.True(images.Select(i => i.image).Distinct().Count() == 1,
            "`db migrate` runs from different images: " + string.Join(", ", images.Select(i => $"{i.w}: {i.image}")));
    }

    [Theory]
    [InlineData("postgres", "postgres:15", 5432)]
    [InlineData("rabbitmq", "rabbitmq:3.10", 5672)]
    public void StatefulSetPersistsDataAndHasAService(string name, string imagePrefix, int port)
    {
        var set = Repo.Single("StatefulSet", name);
        var container = Workloads.MainContainer(set);
        var image = container.Str("image") ?? "";
        Assert.True(image.StartsWith(imagePrefix, StringComparison.Ordinal), $"{set}: image '{image}' is not {imagePrefix}.");

        var claims = set.Root.Seq("spec", "volumeClaimTemplates").Select(c => c.Str("metadata", "name")).ToList();
        Assert.True(claims.Count > 0, $"{set}: no volumeClaimTemplates, so the data does not survive a restart.");
        var mounts = container.Seq("volumeMounts").Select(m => m.Str("name")).ToList();
        Assert.True(claims.Any(mounts.Contains), $"{set}: the volume claims [{string.Join(", ", claims)}] are not mounted.");

        var serviceName = set.Root.Str("spec", "serviceName");
        Assert.True(serviceName is not null, $"{set}: no spec.serviceName.");
        var service = Repo.Single("Service", serviceName!);
        var labels = Workloads.PodLabels(set);
        var selector = service.Root.StringMap("spec", "selector");
        Assert.True(selector.Count > 0 && selector.All(kv => labels.GetValueOrDefault(kv.Key) == kv.Value),
            $"{service}: selector does not match the pods of {set}.");
        Assert.True(service.Root.Seq("spec", "ports").Any(p => p.Str("port") == port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            $"{service}: does not expose port {port}.");
    }

    [Theory]
    [InlineData("postgres", "POSTGRES_PASSWORD")]
    [InlineData("rabbitmq", "RABBITMQ_DEFAULT_PASS")]
    public void StatefulSetCredentialsComeFromTheSecret(string name, string variable)
    {
        var set = Repo.Single("StatefulSet", name);
        Workloads.AssertFromSecretKeyRef(set.ToString(), Workloads.Env(Workloads.MainContainer(set)), variable);
    }
}
