using System.Diagnostics;
using ViraLoop.Cluster.Tests.Infrastructure;
using ViraLoop.Pipeline.Tests;
using Xunit;

namespace ViraLoop.Cluster.Tests;

/// <summary><c>viraloop generate --cluster</c>: the CLI submits to running silo processes and shows the same progress.</summary>
[Collection("processes")]
public sealed class CliClusterTests
{
    private static async Task<(int Code, string Out, string Err)> CliAsync(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "viraloop.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(4));
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task GenerateWithCluster_RunsOnTheSilos_AndWritesTheSameVideoAsEmbedded()
    {
        await using var cluster = await ProcessCluster.CreateAsync();
        await cluster.StartSiloAsync("silo-1");
        await cluster.StartSiloAsync("gpu-1", gpu: true);
        var env = cluster.Options.ToEnvironment();
        string[] request = ["generate", "--topic", "Why the sea is salty", "--duration", "6", "--preview", "--seed", "12", "--json"];

        var onCluster = Directory.CreateTempSubdirectory("vl-cli-cluster-").FullName;
        var (code, stdout, stderr) = await CliAsync(env, [.. request, "--cluster", "--tenant", "cli", "--out", onCluster]);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("[render] done", stderr);
        Assert.Contains("\"job\": \"cli/", stdout);
        foreach (var f in new[] { "video.mp4", "thumbnail.jpg", "captions.ass", "manifest.json", "hls/index.m3u8", "hls/init.mp4" })
            Assert.True(File.Exists(Path.Combine(onCluster, f)), $"{f} is missing");

        var embedded = Directory.CreateTempSubdirectory("vl-cli-embedded-").FullName;
        var local = await CliAsync(new Dictionary<string, string>(), [.. request, "--out", embedded]);
        Assert.True(local.Code == 0, local.Err);
        Assert.Equal(await ManifestView.ComparableAsync(Path.Combine(embedded, "manifest.json")),
            await ManifestView.ComparableAsync(Path.Combine(onCluster, "manifest.json")));
    }

    [Fact]
    public async Task GenerateWithCluster_WithoutClusterSettings_SaysWhichAreMissing_AndExits2()
    {
        var (code, _, stderr) = await CliAsync(new Dictionary<string, string> { ["ViraLoop__Postgres"] = "" },
            "generate", "--topic", "Bees", "--cluster", "--out", Directory.CreateTempSubdirectory("vl-cli-").FullName);
        Assert.Equal(2, code);
        Assert.Contains("ViraLoop__Postgres", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
