namespace ViraLoop.Grains.Execution;

/// <summary>
/// The silo's bounded executor for long CPU work (TTS, encodes, packaging): at most <see cref="Slots"/> run at once, on the
/// thread pool, never on a grain's turn. Grains start work here and are told the result by a call back to themselves.
/// </summary>
public sealed class CpuExecutor : IDisposable
{
    private readonly SemaphoreSlim _gate;

    public CpuExecutor(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        Slots = slots;
        _gate = new SemaphoreSlim(slots, slots);
    }

    public int Slots { get; }

    /// <summary>Work waiting for a slot or running.</summary>
    public int Pending => Volatile.Read(ref _pending);

    private int _pending;

    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken = default) =>
        Task.Run(async () =>
        {
            Interlocked.Increment(ref _pending);
            try
            {
                await _gate.WaitAsync(cancellationToken);
                try { return await work(cancellationToken); }
                finally { _gate.Release(); }
            }
            finally { Interlocked.Decrement(ref _pending); }
        }, CancellationToken.None);

    public void Dispose() => _gate.Dispose();
}
