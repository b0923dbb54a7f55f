using Orleans.Runtime;
using Orleans.Streams;
using ViraLoop.Client;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Pipeline.Tests;

/// <summary>A subscriber to one job's progress stream: every event in arrival order, and waits on events, never on sleeps.</summary>
public sealed class JobWatch : IAsyncDisposable
{
    private readonly List<JobProgress> _events = [];
    private readonly List<(Func<JobProgress, bool> Match, TaskCompletionSource<JobProgress> Done)> _waits = [];
    private StreamSubscriptionHandle<JobProgress>? _subscription;

    private JobWatch(IGrainFactory grains, string key)
    {
        Key = key;
        Job = grains.GetGrain<IVideoJobGrain>(key);
    }

    public string Key { get; }
    public IVideoJobGrain Job { get; }

    public IReadOnlyList<JobProgress> Events
    {
        get { lock (_events) return _events.ToList(); }
    }

    public static async Task<JobWatch> StartAsync(ViraLoopClient client, string key)
    {
        var watch = new JobWatch(client.Grains, key);
        var stream = client.Streams.GetStream<JobProgress>(StreamId.Create(StreamNames.Jobs, key));
        watch._subscription = await stream.SubscribeAsync((e, _) => { watch.Add(e); return Task.CompletedTask; });
        return watch;
    }

    private void Add(JobProgress e)
    {
        lock (_events)
        {
            _events.Add(e);
            foreach (var w in _waits.Where(w => w.Match(e)).ToList())
            {
                _waits.Remove(w);
                w.Done.TrySetResult(e);
            }
        }
    }

    /// <summary>What a subscriber that de-duplicates by sequence number sees: each event newer than every one before it.</summary>
    public static List<JobProgress> InOrder(IEnumerable<JobProgress> events)
    {
        var kept = new List<JobProgress>();
        foreach (var e in events)
            if (kept.Count == 0 || e.Sequence > kept[^1].Sequence) kept.Add(e);
        return kept;
    }

    /// <summary>The first event (already seen or still to come) that matches.</summary>
    public async Task<JobProgress> WaitForAsync(Func<JobProgress, bool> match, string what, int seconds = 120)
    {
        TaskCompletionSource<JobProgress> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_events)
        {
            if (_events.FirstOrDefault(match) is { } seen) return seen;
            _waits.Add((match, done));
        }
        try { return await done.Task.WaitAsync(TimeSpan.FromSeconds(seconds)); }
        catch (TimeoutException)
        {
            var snapshot = await Job.GetSnapshot();
            throw new TimeoutException($"Timed out after {seconds} s waiting for {what}; the job is {snapshot.Status} ({snapshot.Error}), last events: "
                + string.Join(" | ", Events.TakeLast(5).Select(e => $"{e.Status}/{e.Step}/{e.Percent}")));
        }
    }

    /// <summary>Waits for a final state and returns the job as it ended.</summary>
    public async Task<JobSnapshot> FinishedAsync(int seconds = 180)
    {
        await WaitForAsync(e => e.Status.IsFinal(), "the job to end", seconds);
        return await Job.GetSnapshot();
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            try { await _subscription.UnsubscribeAsync(); } catch (Exception) { }
        }
    }
}
