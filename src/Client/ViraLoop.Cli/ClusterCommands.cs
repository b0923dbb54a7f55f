using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ViraLoop.Cli;

/// <summary>What <c>viraloop cluster start</c> remembers (in <c>.viraloop/cluster.json</c> of the checkout) to stop it later.</summary>
internal sealed record ClusterState(string Dir, string? Api, string? AdminKey, string? Editor, string? Dashboard, DateTimeOffset StartedAt);

/// <summary>
/// <c>viraloop cluster start|stop|status</c>: a wrapper over <c>scripts/cluster.sh</c> (the source of truth for how a local
/// cluster runs), found in the checkout the current directory or this program lies in (or <c>VIRALOOP_REPO</c>).
/// </summary>
internal static partial class ClusterCommands
{
    public const string ExitCodes = "Exit codes: 0 done (status: all silos up), 1 the script failed (status: a silo is down), 2 no checkout or no cluster remembered.";
    private const string Script = "scripts/cluster.sh";

    public static Command Cluster()
    {
        var start = new Command("start", $"Start PostgreSQL, RabbitMQ, two silos and a GPU silo on loopback; prints the editor, dashboard and API URLs and the admin key. {ExitCodes}");
        start.SetAction(async (parse, ct) => await Guard(() => StartAsync(ct)));
        var dir = new Option<DirectoryInfo?>("--dir") { Description = "The cluster's state directory (default: the one `cluster start` remembered)" };
        var stop = new Command("stop", $"Stop the cluster `cluster start` started: silos, PostgreSQL and RabbitMQ. {ExitCodes}") { dir };
        stop.SetAction(async (parse, ct) => await Guard(() => StopAsync(parse.GetValue(dir)?.FullName, ct)));
        var status = new Command("status", $"Whether each silo of the remembered cluster is up, and its URLs. {ExitCodes}");
        status.SetAction(async (parse, ct) => await Guard(() => StatusAsync(ct)));
        return new Command("cluster", $"A local cluster on loopback through {Script}. {ExitCodes}") { start, stop, status };
    }

    private static async Task<int> Guard(Func<Task<int>> body)
    {
        try { return await body(); }
        catch (Exception e) { return CliErrors.Report(e, "the cluster"); }
    }

    /// <summary>The checkout: <c>VIRALOOP_REPO</c>, else the first directory above the current one, else above this program, that holds the script.</summary>
    internal static string? FindRoot()
    {
        if (Environment.GetEnvironmentVariable("VIRALOOP_REPO") is { Length: > 0 } given)
            return File.Exists(Path.Combine(given, Script)) ? Path.GetFullPath(given) : null;
        foreach (var from in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(from); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, Script))) return d.FullName;
        return null;
    }

    private static string RequireRoot() => FindRoot() ?? throw new CliException(
        Environment.GetEnvironmentVariable("VIRALOOP_REPO") is { Length: > 0 } given
            ? $"VIRALOOP_REPO={given} is not a ViraLoop checkout: it has no {Script}."
            : $"Cannot find the ViraLoop checkout ({Script}) above the current directory or above this program; run it inside a checkout or set VIRALOOP_REPO.",
        CliApp.BadInput);

    private static string StateFile(string root) => Path.Combine(root, ".viraloop", "cluster.json");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The cluster <c>cluster start</c> started from this checkout, if it remembers one.</summary>
    internal static ClusterState? Remembered()
    {
        try
        {
            var root = FindRoot();
            if (root is null || !File.Exists(StateFile(root))) return null;
            return JsonSerializer.Deserialize<ClusterState>(File.ReadAllText(StateFile(root)), Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    private static async Task<int> StartAsync(CancellationToken ct)
    {
        var root = RequireRoot();
        if (Remembered() is { } running && Directory.Exists(running.Dir))
            throw new CliException($"A cluster is already started (state in {running.Dir}); `viraloop cluster status` shows it, `viraloop cluster stop` stops it.", CliApp.BadInput);
        var lines = new List<string>();
        var code = await RunScriptAsync(root, ["start"], line => { Console.WriteLine(line); lines.Add(line); }, ct);
        if (code != 0)
        {
            Console.Error.WriteLine($"error: {Script} start failed (exit {code}); its messages are above.");
            return CliApp.Failed;
        }
        string? Find(Regex r) => lines.Select(l => r.Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
        var dir = Find(StopLine()) ?? throw new CliException($"{Script} start did not say how to stop the cluster; stop it with {Script} stop DIR.", CliApp.Failed);
        var state = new ClusterState(dir, Find(ApiLine()), Find(AdminLine()), Find(EditorLine()), Find(DashboardLine()), DateTimeOffset.UtcNow);
        Directory.CreateDirectory(Path.GetDirectoryName(StateFile(root))!);
        await File.WriteAllTextAsync(StateFile(root), JsonSerializer.Serialize(state, Json), ct);
        Console.Error.WriteLine($"remembered in {StateFile(root)}: `viraloop cluster stop` stops it; the videos, keys and plan commands use its API and admin key by default.");
        return CliApp.Ok;
    }

    private static async Task<int> StopAsync(string? dir, CancellationToken ct)
    {
        var root = RequireRoot();
        var remembered = Remembered();
        dir ??= remembered?.Dir ?? throw new CliException($"No cluster to stop: `viraloop cluster start` remembers none in {StateFile(root)} (pass --dir DIR for another).", CliApp.BadInput);
        var code = await RunScriptAsync(root, ["stop", dir], Console.WriteLine, ct);
        if (remembered?.Dir == dir) File.Delete(StateFile(root));
        if (code != 0)
        {
            Console.Error.WriteLine($"error: {Script} stop {dir} failed (exit {code}).");
            return CliApp.Failed;
        }
        Console.WriteLine($"stopped the cluster in {dir}");
        return CliApp.Ok;
    }

    private static async Task<int> StatusAsync(CancellationToken ct)
    {
        var root = RequireRoot();
        var state = Remembered() ?? throw new CliException($"No cluster: `viraloop cluster start` remembers none in {StateFile(root)}.", CliApp.BadInput);
        Console.WriteLine($"state:     {state.Dir} (started {state.StartedAt:u})");
        if (state.Editor is not null) Console.WriteLine($"editor:    {state.Editor}");
        if (state.Dashboard is not null) Console.WriteLine($"dashboard: {state.Dashboard}");
        if (state.Api is not null) Console.WriteLine($"API:       {state.Api}");
        var code = await RunScriptAsync(root, ["status", state.Dir], Console.WriteLine, ct);
        return code switch { 0 => CliApp.Ok, 2 => CliApp.BadInput, _ => CliApp.Failed };
    }

    /// <summary>Runs the script in the checkout; its stdout line by line to <paramref name="line"/>, its stderr straight through.</summary>
    private static async Task<int> RunScriptAsync(string root, string[] args, Action<string> line, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(root, Script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The script migrates the database with this very program instead of building (and overwriting) it while it runs.
        var self = Path.Combine(AppContext.BaseDirectory, "viraloop.dll");
        if (File.Exists(self)) psi.Environment["VIRALOOP_CLI"] = self;
        using var p = Process.Start(psi) ?? throw new CliException("Cannot start bash.", CliApp.MissingTool);
        try
        {
            while (await p.StandardOutput.ReadLineAsync(ct) is { } l) line(l);
            await p.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // Interrupted: the script's own trap stops what it started; do not leave it running unattended.
            try { p.Kill(entireProcessTree: false); } catch (InvalidOperationException) { }
            throw;
        }
        return p.ExitCode;
    }

    [GeneratedRegex(@"^stop:\s+scripts/cluster\.sh stop (\S+)")] private static partial Regex StopLine();
    [GeneratedRegex(@"API:\s+(\S+?)/v1/videos")] private static partial Regex ApiLine();
    [GeneratedRegex(@"^admin key:\s+(\S+)")] private static partial Regex AdminLine();
    [GeneratedRegex(@"^editor:\s+(\S+)")] private static partial Regex EditorLine();
    [GeneratedRegex(@"^dashboard:\s+(\S+)")] private static partial Regex DashboardLine();
}
