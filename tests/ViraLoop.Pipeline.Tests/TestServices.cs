using ViraLoop.Media;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Writing;

namespace ViraLoop.Pipeline.Tests;

/// <summary>A gate a test opens: work that reaches it waits there (and says it arrived).</summary>
public sealed class Gate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reached => _reached.Task;

    public void Open() => _open.TrySetResult();

    public async Task PassAsync(CancellationToken ct)
    {
        _reached.TrySetResult();
        await _open.Task.WaitAsync(ct);
    }
}

/// <summary>The offline writer behind a gate, counting calls.</summary>
public sealed class GatedWriter(Gate gate) : IScriptWriter
{
    private int _calls;
    public int Calls => _calls;

    public async Task<Script> WriteAsync(VideoRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        await gate.PassAsync(cancellationToken);
        return await new TemplateScriptWriter().WriteAsync(request, cancellationToken);
    }
}

/// <summary>espeak-ng, optionally behind a gate, failing its first <see cref="FailFirst"/> calls with a transient error, counting calls.</summary>
public sealed class TestVoice(Gate? gate = null) : ISpeechSynthesizer
{
    private readonly EspeakSynthesizer _espeak = new();
    private int _calls;
    private readonly System.Collections.Concurrent.ConcurrentBag<(string Text, double Speed)> _spoken = [];

    /// <summary>How many different (text, speed) pairs were asked for.</summary>
    public int DistinctRequests => _spoken.Distinct().Count();

    public int FailFirst { get; init; }
    public bool AlwaysMissing { get; init; }
    public int Calls => _calls;
    public string Name => _espeak.Name;

    public async Task<SpeechResult> SynthesizeAsync(SpeechRequest request, string outputPath, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _calls);
        _spoken.Add((request.Text, request.Speed));
        if (AlwaysMissing) throw new MissingToolException("espeak-ng", "apt-get install espeak-ng");
        if (call <= FailFirst) throw new IOException($"the voice engine crashed (call {call})");
        if (gate is not null) await gate.PassAsync(cancellationToken);
        return await _espeak.SynthesizeAsync(request, outputPath, cancellationToken);
    }
}
