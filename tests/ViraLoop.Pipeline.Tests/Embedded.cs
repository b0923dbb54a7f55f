using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Client;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;
using ViraLoop.Media.Storage;

namespace ViraLoop.Pipeline.Tests;

/// <summary>An embedded silo (the CLI's mode) in a fresh directory, with the test's own services where it gives them.</summary>
public static class Embedded
{
    public static async Task<ViraLoopClient> StartAsync(Action<IServiceCollection>? services = null, string? directory = null)
    {
        var dir = directory ?? Directory.CreateTempSubdirectory("vl-pipeline-").FullName;
        return await ViraLoopClient.StartEmbeddedAsync(Path.Combine(dir, "state.db"), silo => services?.Invoke(silo.Services));
    }

    public static IBlobStore Blobs(this ViraLoopClient client) => client.Services.GetRequiredService<IBlobStore>();

    public static async Task<string> PathOfAsync(this ViraLoopClient client, string key) =>
        client.Blobs().LocalPath(await client.Blobs().GetAsync(key) ?? throw new FileNotFoundException($"No blob {key}"));

    /// <summary>A short preview order (about 6 s, three scenes) that renders in a few seconds.</summary>
    public static VideoOrder ShortOrder(string topic = "Why octopuses are smart", int seed = 11) => new()
    {
        Topic = topic, DurationSeconds = 6, Preview = true, Seed = seed,
    };

    public static string NewKey(string tenant = "acme") => JobKeys.Of(tenant, Guid.NewGuid().ToString("N")[..12]);

    public static async Task<(JobWatch Watch, JobSnapshot Accepted)> SubmitAsync(this ViraLoopClient client, VideoOrder order, string? key = null)
    {
        var watch = await JobWatch.StartAsync(client, key ?? NewKey());
        var snapshot = await watch.Job.Submit(order);
        return (watch, snapshot);
    }
}
