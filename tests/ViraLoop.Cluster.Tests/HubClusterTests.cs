using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ViraLoop.Cluster.Tests.Infrastructure;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Cluster.Tests;

/// <summary>
/// A Node @microsoft/signalr client follows a job that runs on another silo, through the hub of the silo it is connected
/// to; that silo is killed (-9) mid-job; the client connects to another silo and resumes after its last sequence. It
/// must get every event the job published, once each, in order, to the end.
/// </summary>
public sealed class HubClusterTests(ITestOutputHelper output)
{
    private static string RepoRoot => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;

    [Fact]
    public async Task NodeHubClient_GetsEveryEventInOrder_AcrossAKill9OfItsSilo()
    {
        await using var cluster = await ProcessCluster.CreateAsync();
        var silo1 = await cluster.StartSiloAsync("silo-1");
        var silo2 = await cluster.StartSiloAsync("silo-2");
        var gpu = await cluster.StartSiloAsync("gpu-1", gpu: true);
        var client = await cluster.ConnectAsync();

        using var http = new HttpClient { BaseAddress = new Uri(silo1.Http!) };
        http.DefaultRequestHeaders.Add("X-Admin-Key", ProcessCluster.AdminKey);
        var key = (await (await http.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "node" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        http.DefaultRequestHeaders.Remove("X-Admin-Key");
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var submitted = await http.PostAsJsonAsync("/v1/videos", new { topic = "How coral reefs grow", durationSeconds = 16, preview = true, seed = 5 });
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // Connect to a plain silo that does not run the job; fall back to another live one that does not either, if any.
        var job = client.Grains.GetGrain<IVideoJobGrain>(JobKeys.Of("acme", id));
        await job.GetSnapshot();
        var management = client.Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0);
        var address = await management.GetActivationAddress(job);
        var host = (await management.GetDetailedHosts(onlyActive: true)).Single(h => h.SiloAddress.Equals(address)).SiloName;
        var connected = host == "silo-2" ? silo1 : silo2;
        var fallback = new[] { silo1, silo2, gpu }.First(s => s != connected && s.SiloId != host);
        output.WriteLine($"job {id} runs on {host}; the client connects to {connected.SiloId}, then {fallback.SiloId}");

        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(RepoRoot, "tests", "ViraLoop.Cluster.Tests", "node", "watch.cjs"));
        foreach (var a in new[] { id, key, connected.Http!, fallback.Http! }) psi.ArgumentList.Add(a);
        psi.Environment["NODE_PATH"] = Path.Combine(RepoRoot, "src", "Silo", "ViraLoop.Api", "Editor", "node_modules");
        using var node = Process.Start(psi)!;
        var lines = new List<JsonElement>();
        var twoEvents = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var end = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { Length: > 0 } line) return;
            var json = JsonDocument.Parse(line).RootElement.Clone();
            lock (lines)
            {
                lines.Add(json);
                if (lines.Count(l => l.GetProperty("kind").GetString() == "event") >= 2) twoEvents.TrySetResult();
            }
            if (json.GetProperty("kind").GetString() is "end" or "gave-up") end.TrySetResult();
        };
        var errors = new List<string>();
        node.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.Add(e.Data); };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        try
        {
            await twoEvents.Task.WaitAsync(TimeSpan.FromSeconds(120));
            connected.Kill();
            output.WriteLine($"killed {connected.SiloId} after {lines.Count(l => l.GetProperty("kind").GetString() == "event")} events");
            await end.Task.WaitAsync(TimeSpan.FromSeconds(240));
        }
        finally
        {
            if (!node.HasExited) node.Kill();
            foreach (var l in lines) output.WriteLine(l.ToString());
            foreach (var e in errors) output.WriteLine("node: " + e);
        }

        Assert.Equal("end", lines[^1].GetProperty("kind").GetString());
        Assert.True(lines.Count(l => l.GetProperty("kind").GetString() == "connected") >= 2, "the client reconnected");
        var received = lines.Where(l => l.GetProperty("kind").GetString() == "event").Select(l => l.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal("completed", lines.Last(l => l.GetProperty("kind").GetString() == "event").GetProperty("status").GetString());
        // What the job published (its own record of it, on the silo that kept running it): all of it, in order, once.
        var published = await job.GetEventsSince(0);
        var held = published.Events.Select(e => e.Sequence).ToList();
        Assert.Equal(received.Order().Distinct(), received); // in order, each once
        if (published.Complete)
        {
            Assert.Equal(held, received);
            return;
        }
        // The job was activated again: its directory entry lived on the killed silo, and Orleans' default directory
        // deactivates such activations on the survivors. The new activation (a new epoch) resumed from its checkpoint and
        // holds only its own events: the client must have every one of those, and before them a gapless run of the first
        // activation's, from its first event.
        long epoch = held[0] >> 32;
        output.WriteLine($"the job was re-activated (epoch {epoch}); it holds {held.Count} events of it");
        Assert.True(epoch > 1, "the job holds an incomplete record without a new epoch");
        Assert.Equal(held, received.Where(q => q >> 32 == epoch));
        var earlier = received.Where(q => q >> 32 < epoch).ToList();
        Assert.True(earlier.Count >= 2, "the client got the first activation's events");
        Assert.Equal(Enumerable.Range(1, earlier.Count).Select(i => (1L << 32) | (uint)i), earlier);
    }
}
