using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViraLoop.Cli;
using ViraLoop.Client;
using ViraLoop.Cluster.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Cluster.Tests;

/// <summary>
/// The optimisation loop end to end, as issue 8 asks: an experiment of 8 arms on a cluster of silo processes, its first
/// videos made by the real pipeline (preview size) with the genes their arms chose, the engagement simulator posting
/// viewers' events through the API into a real ClickHouse, which is stopped for a whole round and started again. The
/// allocation moves to the best arm, the arms bred later beat the first generation, and ClickHouse holds every distinct
/// event exactly once, with every event's aggregate.
/// </summary>
[Collection("processes")]
public sealed class LoopClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Loop_OverTheRealPipeline_LearnsTheBestArm_AndClickHouseKeepsEveryEventOnce_AcrossARestart()
    {
        var database = "vl_loop_" + Guid.NewGuid().ToString("N")[..12];
        var analytics = new Dictionary<string, string> { ["ViraLoop__ClickHouse"] = ClickHouse.Url(database) };
        await using var cluster = await ProcessCluster.CreateAsync();
        var silo = await cluster.StartSiloAsync("silo-1", environment: analytics);
        await cluster.StartSiloAsync("gpu-1", gpu: true, environment: analytics);

        using var admin = new HttpClient { BaseAddress = new Uri(silo.Http!) };
        admin.DefaultRequestHeaders.Add("X-Admin-Key", ProcessCluster.AdminKey);
        var key = (await (await admin.PostAsJsonAsync("/v1/admin/tenants/loop-co/keys", new { name = "simulator" })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("secret").GetString()!;
        await using var api = new ViraLoopHttpClient(new Uri(silo.Http! + "/"), key);

        var options = new SimulationOptions { Experiment = "e2e", Arms = 8, Rounds = 7, VideosPerRound = 16, ImpressionsPerVideo = 400, Render = 3, Seed = 7 };
        var stoppedFor = 0;
        SimulationRound? bufferedRound = null;
        SimulationReport report;
        try
        {
            report = await new LoopSimulation(api, options).RunAsync(async r =>
            {
                output.WriteLine(LoopSimulation.Describe(r));
                if (r.Round == 2)
                {
                    await ClickHouse.StopAsync();
                    stoppedFor = 3;
                    output.WriteLine("ClickHouse stopped");
                }
                else if (r.Round == stoppedFor)
                {
                    await ClickHouse.StartAsync();
                    output.WriteLine("ClickHouse started again");
                    bufferedRound = r;
                }
            });
        }
        catch
        {
            var log = silo.Output;
            output.WriteLine("silo-1's log (end):\n" + log[Math.Max(0, log.Length - 12_000)..]);
            throw;
        }
        finally
        {
            // Whatever failed, the suite's ClickHouse runs again for the tests after this one.
            if (stoppedFor > 0 && bufferedRound is null) await ClickHouse.StartAsync();
        }
        Assert.False(bufferedRound!.Durable, "with ClickHouse down, the round's events were buffered (202), not confirmed");
        output.WriteLine($"first generation {report.FirstGenerationRate:P2}, later {report.LaterGenerationsRate:P2}; {report.EventsSent} events sent, {report.DistinctEvents} distinct");

        // The rendered videos: finished, 9:16 at preview size, made with their arm's genes (the manifest records them).
        Assert.Equal(3, report.Rendered.Count);
        foreach (var v in report.Rendered)
        {
            Assert.Equal("completed", v.Status);
            var mp4 = Path.Combine(Path.GetTempPath(), $"{v.Id}.mp4");
            await using (var file = File.Create(mp4)) await api.DownloadAsync(v.Id, "video.mp4", file);
            var probe = await ViraLoop.Media.Tools.RunAsync(ViraLoop.Media.Tools.Ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=width,height:format=duration", "-of", "csv=p=0", mp4]);
            File.Delete(mp4);
            var lines = probe.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal("540,960", lines[0]);
            Assert.InRange(double.Parse(lines[1], CultureInfo.InvariantCulture), 3, 12);
            using var manifestStream = new MemoryStream();
            await api.DownloadAsync(v.Id, "manifest.json", manifestStream);
            var genome = JsonNode.Parse(manifestStream.ToArray())!["genome"]!.AsObject();
            foreach (var (gene, value) in v.Genome) Assert.Equal(value, genome[gene]!.GetValue<string>());
        }

        // The loop learned: later rounds' videos are truly better, allocation went to the best arm, and bred arms beat the first.
        var rounds = report.Rounds;
        Assert.True(rounds[^1].Generation >= 2, $"generations bred: {rounds[^1].Generation}");
        Assert.True(report.LaterGenerationsRate > report.FirstGenerationRate, $"bred arms {report.LaterGenerationsRate:P2} vs first generation {report.FirstGenerationRate:P2}");
        var lastThree = rounds.TakeLast(3).Average(r => r.MeanTrueRate);
        Assert.True(lastThree > rounds[0].MeanTrueRate * 1.5, $"last rounds {lastThree:P2} vs first {rounds[0].MeanTrueRate:P2}");
        Assert.True(rounds.TakeLast(2).Average(r => r.BestKnownShare) >= 0.3,
            "the truly best arm with evidence takes at least 30 % of the last rounds' non-control videos (1/8 would be an even spread; bred children take the rest)");
        Assert.True(rounds[^1].Durable, "after the restart the events are confirmed again");

        // ClickHouse holds every distinct event once (the re-deliveries and the buffered round included), and their aggregates.
        var stored = (await ClickHouse.QueryAsync($"SELECT count(), uniqExact(event_id) FROM {database}.engagement_events FORMAT TSV")).Split('\t');
        output.WriteLine($"ClickHouse: {stored[0]} rows, {stored[1]} distinct ids; {report.DistinctEvents} distinct events sent");
        Assert.Equal(report.DistinctEvents, long.Parse(stored[0], CultureInfo.InvariantCulture));
        Assert.Equal(report.DistinctEvents, long.Parse(stored[1], CultureInfo.InvariantCulture));
        var experiment = await api.GetExperimentAsync("e2e");
        Assert.Equal(report.DistinctEvents, experiment.Arms.Sum(a => a.Impressions + a.Clicks + a.ViewsStarted + a.Completions + a.WatchSessions));
        Assert.Equal((long)options.Rounds * options.VideosPerRound * options.ImpressionsPerVideo, experiment.Arms.Sum(a => a.Impressions));
        await ClickHouse.QueryAsync($"DROP DATABASE IF EXISTS {database}");
    }
}
