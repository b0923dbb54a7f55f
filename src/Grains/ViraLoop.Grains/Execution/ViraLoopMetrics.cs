using System.Diagnostics.Metrics;

namespace ViraLoop.Grains.Execution;

/// <summary>
/// ViraLoop's own meters (meter <c>ViraLoop</c>, exported beside Orleans' at <c>/metrics</c>): jobs submitted and finished
/// by tenant and outcome, job durations, scenes rendered by backend, GPU queue waits and GPU slots in use on this silo.
/// </summary>
public static class ViraLoopMetrics
{
    public const string MeterName = "ViraLoop";
    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> JobsSubmitted = Meter.CreateCounter<long>("viraloop.jobs.submitted", "{job}", "Video jobs accepted");
    private static readonly Counter<long> JobsFinished = Meter.CreateCounter<long>("viraloop.jobs.finished", "{job}", "Video jobs that ended, by status");
    private static readonly Histogram<double> JobSeconds = Meter.CreateHistogram<double>("viraloop.job.duration", "s", "Accepted to final state");
    private static readonly Counter<long> ScenesRendered = Meter.CreateCounter<long>("viraloop.scenes.rendered", "{scene}", "Scene visuals rendered by GPU workers, by backend");
    private static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>("viraloop.gpu.queue.wait", "s", "GPU work: queued to leased");
    private static long _slotsBusy;
    private static long _slots;

    static ViraLoopMetrics()
    {
        Meter.CreateObservableGauge("viraloop.gpu.slots.busy", () => Interlocked.Read(ref _slotsBusy), "{slot}", "GPU slots running work on this silo");
        Meter.CreateObservableGauge("viraloop.gpu.slots", () => Interlocked.Read(ref _slots), "{slot}", "GPU slots this silo offers");
    }

    public static void JobSubmitted(string tenant) => JobsSubmitted.Add(1, new KeyValuePair<string, object?>("tenant", tenant));

    public static void JobFinished(string tenant, string status, double seconds)
    {
        JobsFinished.Add(1, new("tenant", tenant), new("status", status));
        JobSeconds.Record(seconds, new KeyValuePair<string, object?>("status", status));
    }

    public static void SceneRendered(string backend) => ScenesRendered.Add(1, new KeyValuePair<string, object?>("backend", backend));

    public static void Leased(string tenant, TimeSpan waited) => QueueWait.Record(Math.Max(0, waited.TotalSeconds), new KeyValuePair<string, object?>("tenant", tenant));

    public static void SlotsOffered(int slots) => Interlocked.Exchange(ref _slots, slots);
    public static void SlotTaken() => Interlocked.Increment(ref _slotsBusy);
    public static void SlotFreed() => Interlocked.Decrement(ref _slotsBusy);
}
