using System.Diagnostics;

namespace ViraLoop.Runtime.Tests.Infrastructure;

/// <summary>A TestSilo process: start, wait for READY, kill -9, SIGSTOP/SIGCONT, or SIGTERM.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = new();
    private TaskCompletionSource<string> _nextMetrics = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<string> _nextValue = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SiloProcess(string siloId, IEnumerable<string> args)
    {
        SiloId = siloId;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(TestSiloPath);
        psi.ArgumentList.Add("--silo-id");
        psi.ArgumentList.Add(siloId);
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the test silo");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.Add(e.Data);
            if (e.Data.StartsWith("READY", StringComparison.Ordinal)) _ready.TrySetResult();
            else if (e.Data.StartsWith("STOPPED", StringComparison.Ordinal)) _stopped.TrySetResult();
            else if (e.Data.StartsWith("VALUE", StringComparison.Ordinal)) Interlocked.Exchange(ref _nextValue, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(e.Data);
            else if (e.Data.StartsWith("METRICS", StringComparison.Ordinal)) Interlocked.Exchange(ref _nextMetrics, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(e.Data);
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add("ERR " + e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string SiloId { get; }
    public int Pid => _process.Id;

    public string Output
    {
        get { lock (_output) return string.Join('\n', _output.TakeLast(40)); }
    }

    public async Task WaitReadyAsync()
    {
        var exited = _process.WaitForExitAsync();
        var first = await Wait.ForAsync(Task.WhenAny(_ready.Task, exited), $"silo {SiloId} to start");
        if (first != _ready.Task) throw new InvalidOperationException($"silo {SiloId} exited before READY:\n{Output}");
    }

    /// <summary>The next METRICS line the process prints (it prints one every 200 ms while it runs).</summary>
    public Task<string> NextMetricsAsync() => Volatile.Read(ref _nextMetrics).Task;

    /// <summary>Embedded mode: increments a counter grain through the process's stdin and returns the new value.</summary>
    public async Task<long> IncrementAsync(string key, long amount)
    {
        var answer = Volatile.Read(ref _nextValue).Task;
        await _process.StandardInput.WriteLineAsync($"inc {key} {amount}");
        await _process.StandardInput.FlushAsync();
        var line = await Wait.ForAsync(answer, $"silo {SiloId} to answer inc {key}");
        return long.Parse(line.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    private void Signal(string sig)
    {
        using var p = Process.Start("kill", ["-" + sig, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
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
            // tests/ViraLoop.Runtime.Tests/bin/<Configuration>/net10.0 -> tests/ViraLoop.Runtime.TestSilo/bin/<Configuration>/net10.0
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var tfm = here.Name;
            var config = here.Parent!.Name;
            var tests = here.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(tests, "ViraLoop.Runtime.TestSilo", "bin", config, tfm, "ViraLoop.Runtime.TestSilo.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: the test silo is missing", path);
        }
    }
}
