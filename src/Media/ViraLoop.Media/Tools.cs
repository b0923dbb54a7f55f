using System.Diagnostics;
using System.Text;

namespace ViraLoop.Media;

/// <summary>Runs external tools (ffmpeg, ffprobe, espeak-ng) and says how to install a missing one.</summary>
public static class Tools
{
    public static string Ffmpeg => Environment.GetEnvironmentVariable("VIRALOOP_FFMPEG") ?? "ffmpeg";
    public static string Ffprobe => Environment.GetEnvironmentVariable("VIRALOOP_FFPROBE") ?? "ffprobe";
    public static string Espeak => Environment.GetEnvironmentVariable("VIRALOOP_ESPEAK") ?? "espeak-ng";

    public const string FontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    public static void Require(string tool, string package)
    {
        if (!OnPath(tool)) throw new MissingToolException(tool, $"sudo apt-get install -y {package}");
    }

    public static void RequireMedia()
    {
        Require(Ffmpeg, "ffmpeg");
        Require(Ffprobe, "ffmpeg");
        Require(Espeak, "espeak-ng");
        if (!File.Exists(FontPath)) throw new MissingToolException("The DejaVu fonts", "sudo apt-get install -y fonts-dejavu-core");
    }

    public static bool OnPath(string tool)
    {
        if (tool.Contains('/')) return File.Exists(tool);
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, tool)));
    }

    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static async Task<Result> RunAsync(string tool, IEnumerable<string> args, string? stdin = null, CancellationToken ct = default,
        string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
            StandardInputEncoding = stdin is not null ? new UTF8Encoding(false) : null,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {tool}.");
        Deprioritize(p);
        try
        {
            var stdout = p.StandardOutput.ReadToEndAsync(ct);
            var stderr = p.StandardError.ReadToEndAsync(ct);
            if (stdin is not null)
            {
                await p.StandardInput.WriteAsync(stdin.AsMemory(), ct);
                p.StandardInput.Close();
            }
            try { await p.WaitForExitAsync(ct); }
            catch (OperationCanceledException) { try { p.Kill(true); } catch (InvalidOperationException) { } throw; }
            return new Result(p.ExitCode, await stdout, await stderr);
        }
        finally
        {
            ClosePipes(p);
        }
    }

    /// <summary>
    /// Media tools (ffmpeg, espeak-ng) run below normal priority (nice 10), so on a busy machine the silo's own work —
    /// grain calls, API requests, progress on its way to editors — goes first and the tools take the rest of the CPU.
    /// <c>VIRALOOP_TOOL_PRIORITY=normal</c> turns it off.
    /// </summary>
    public static void Deprioritize(Process p)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("VIRALOOP_TOOL_PRIORITY"), "normal", StringComparison.OrdinalIgnoreCase)) return;
        try { p.PriorityClass = ProcessPriorityClass.BelowNormal; }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or PlatformNotSupportedException) { } // it exited already, or may not be changed here
    }

    /// <summary>
    /// Closes the pipes of a process whose redirected streams were read through <see cref="Process.StandardOutput"/> and
    /// the like: <see cref="Process.Dispose()"/> leaves those to the finalizer, and a silo that runs thousands of tools
    /// spent a third of its CPU finalizing pipe handles (measured: 5.8 of 17.6 CPU s in a plain silo during 6 jobs).
    /// </summary>
    public static void ClosePipes(Process p)
    {
        if (p.StartInfo.RedirectStandardInput) Try(() => p.StandardInput.Dispose());
        if (p.StartInfo.RedirectStandardOutput) Try(() => p.StandardOutput.Dispose());
        if (p.StartInfo.RedirectStandardError) Try(() => p.StandardError.Dispose());

        static void Try(Action close)
        {
            try { close(); }
            catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException) { }
        }
    }

    public static async Task<string> VersionAsync(string tool, string arg)
    {
        try
        {
            var r = await RunAsync(tool, [arg]);
            return (r.StdOut + r.StdErr).Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "unknown";
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { return "not installed"; }
    }
}
