using System.Diagnostics;
using System.Globalization;

namespace ViraLoop.Cluster.Tests.Infrastructure;

/// <summary>A TestSilo process (the real ViraLoop silo configuration plus test grains): start, READY, kill -9, SIGSTOP/SIGCONT, SIGTERM.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = new();

    /// <param name="environment">Variables passed as they are (vendor keys and URLs), besides the ViraLoop settings.</param>
    public SiloProcess(string siloId, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment = null)
    {
        SiloId = siloId;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(TestSiloPath);
        psi.Environment["ViraLoop__SiloId"] = siloId;
        psi.Environment["DOTNET_gcServer"] = "0";
        foreach (var (k, v) in settings) psi.Environment[k.StartsWith("ViraLoop__", StringComparison.Ordinal) || k == "Role" ? k : "ViraLoop__" + k] = v;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the test silo");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.Add(e.Data);
            if (e.Data.StartsWith("HTTP ", StringComparison.Ordinal)) Http = e.Data[5..].Trim();
            if (e.Data.StartsWith("READY", StringComparison.Ordinal)) _ready.TrySetResult();
            else if (e.Data.StartsWith("STOPPED", StringComparison.Ordinal)) _stopped.TrySetResult();
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add("ERR " + e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string SiloId { get; }

    /// <summary>The silo's HTTP API base address (http://127.0.0.1:port), once it is READY.</summary>
    public string? Http { get; private set; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public Task Exited => _process.WaitForExitAsync();

    public string Output
    {
        get { lock (_output) return string.Join('\n', _output.TakeLast(40)); }
    }

    public async Task WaitReadyAsync()
    {
        var first = await Wait.ForAsync(Task.WhenAny(_ready.Task, _process.WaitForExitAsync()), $"silo {SiloId} to start", 90);
        if (first != _ready.Task) throw new InvalidOperationException($"silo {SiloId} exited before READY:\n{Output}");
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    private void Signal(string sig)
    {
        using var p = Process.Start("kill", ["-" + sig, Pid.ToString(CultureInfo.InvariantCulture)]);
        p.WaitForExit();
    }

    public async Task TerminateAsync()
    {
        Signal("TERM");
        await Wait.ForAsync(_stopped.Task, $"silo {SiloId} to stop gracefully", 60);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { Resume(); _process.Kill(true); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static string TestSiloPath
    {
        get
        {
            // tests/ViraLoop.Cluster.Tests/bin/<Configuration>/net10.0 -> tests/ViraLoop.TestSilo/bin/<Configuration>/net10.0
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var tfm = here.Name;
            var config = here.Parent!.Name;
            var tests = here.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(tests, "ViraLoop.TestSilo", "bin", config, tfm, "ViraLoop.TestSilo.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: the test silo is missing", path);
        }
    }
}
