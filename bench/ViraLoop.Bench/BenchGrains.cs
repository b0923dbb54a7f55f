using ViraLoop.Runtime;

namespace ViraLoop.Bench;

[GrainType("bench")]
public interface IBenchGrain : IGrain
{
    [OneWay] Task Tell(int value);
    Task<int> Ask(int value);
}

/// <summary>Counts one-way messages across all activations and signals when the expected number arrived.</summary>
public sealed class BenchCounter
{
    private long _count;
    private long _target = long.MaxValue;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reset(long target)
    {
        Interlocked.Exchange(ref _count, 0);
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _target, target);
        return _done.Task;
    }

    public void Add()
    {
        if (Interlocked.Increment(ref _count) == Interlocked.Read(ref _target)) _done.TrySetResult();
    }
}

/// <summary>No state writes: measures the runtime's messaging alone.</summary>
public sealed class BenchGrain(BenchCounter counter) : Grain, IBenchGrain
{
    private int _last;

    public Task Tell(int value)
    {
        _last = value;
        counter.Add();
        return Task.CompletedTask;
    }

    public Task<int> Ask(int value) => Task.FromResult(value + _last);
}
