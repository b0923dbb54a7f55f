namespace ViraLoop.Grains.Scheduling;

/// <summary>A worker the scheduler has heard from (state). Its capacity counts towards the total slots while it
/// was seen within <see cref="SchedulerOptions.WorkerTimeout"/>.</summary>
public sealed class WorkerRecord
{
    public string WorkerId { get; set; } = "";
    public int Capacity { get; set; }
    public DateTimeOffset LastSeen { get; set; }
}
