using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace ViraLoop.Media.Tests.Provenance;

/// <summary>
/// The independent validator: c2pa-rs compiled to WebAssembly (<c>@contentauth/c2pa-wasm</c>), run by Node from
/// tests/c2pa-verify. Node and npm come from the project's setup script when missing; <c>npm ci</c> runs once per
/// package-lock (a stamp in node_modules says which).
/// </summary>
public static class C2paVerifyTool
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _installed;

    public static string RepoRoot { get; } = FindRoot();

    public static string HarnessDir => Path.Combine(RepoRoot, "tests", "c2pa-verify");

    /// <summary>What the validator said about a file: its JSON, and the fields the tests assert on.</summary>
    public sealed record Report(JsonElement Json)
    {
        public string? ValidationState => Json.GetProperty("validationState").GetString();
        public IReadOnlyList<string> Failures => Codes("failure");
        public IReadOnlyList<string> Successes => Codes("success");
        public bool Trusted => Json.GetProperty("trusted").GetBoolean();
        public bool HashMatches => Json.GetProperty("hashMatches").GetBoolean();
        public string? Error => Json.TryGetProperty("error", out var e) ? e.GetString() : null;
        private IReadOnlyList<string> Codes(string name) =>
            Json.TryGetProperty(name, out var a) ? a.EnumerateArray().Select(c => c.GetString()!).ToList() : [];
        public override string ToString() => Json.ToString();
    }

    public static async Task<Report> VerifyAsync(string file, string trustAnchorPem)
    {
        await EnsureInstalledAsync();
        var r = await RunAsync("node", ["verify.mjs", file, trustAnchorPem], HarnessDir);
        if (r.ExitCode != 0) throw new InvalidOperationException($"node verify.mjs failed ({r.ExitCode}): {r.StdErr}");
        return new Report(JsonDocument.Parse(r.StdOut).RootElement.Clone());
    }

    private static async Task EnsureInstalledAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_installed) return;
            if (!ViraLoop.Media.Tools.OnPath("node") || !ViraLoop.Media.Tools.OnPath("npm"))
            {
                var deps = await RunAsync("bash", [Path.Combine(RepoRoot, "scripts", "deps.sh"), "tests"], RepoRoot);
                if (deps.ExitCode != 0) throw new InvalidOperationException($"scripts/deps.sh tests could not install Node and npm: {deps.StdErr}");
            }
            var lockHash = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(HarnessDir, "package-lock.json"))));
            var stamp = Path.Combine(HarnessDir, "node_modules", ".viraloop-lock-sha256");
            if (!File.Exists(stamp) || await File.ReadAllTextAsync(stamp) != lockHash)
            {
                var ci = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], HarnessDir);
                if (ci.ExitCode != 0) throw new InvalidOperationException($"npm ci in tests/c2pa-verify failed: {ci.StdErr}");
                await File.WriteAllTextAsync(stamp, lockHash);
            }
            _installed = true;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string tool, string[] args, string dir)
    {
        var psi = new ProcessStartInfo(tool) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ViraLoop.sln"))) return d.FullName;
        throw new InvalidOperationException("The tests run outside the repository: no ViraLoop.sln above " + AppContext.BaseDirectory);
    }
}
