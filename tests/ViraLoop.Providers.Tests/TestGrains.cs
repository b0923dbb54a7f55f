using System.Collections.Concurrent;
using Orleans;
using Orleans.Runtime;

namespace ViraLoop.Providers.Tests;

[GenerateSerializer]
[Alias("viraloop.tests.CounterState")]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }
    [Id(1)] public string? Note { get; set; }
}

/// <summary>First version of an evolving persisted type.</summary>
[GenerateSerializer]
[Alias("viraloop.tests.ProfileStateV1")]
public sealed class ProfileStateV1
{
    [Id(0)] public string Name { get; set; } = string.Empty;
    [Id(1)] public int Count { get; set; }
}

/// <summary>Second version: same fields and ids, one field added.</summary>
[GenerateSerializer]
[Alias("viraloop.tests.ProfileStateV2")]
public sealed class ProfileStateV2
{
    [Id(0)] public string Name { get; set; } = string.Empty;
    [Id(1)] public int Count { get; set; }
    [Id(2)] public List<string> Tags { get; set; } = ["default-tag"];
}

[Alias("viraloop.tests.IProviderTestGrain")]
public interface IProviderTestGrain : IGrainWithStringKey
{
    [Alias("SetValue")] Task SetValue(int value, string? note);
    [Alias("GetValue")] Task<CounterState> GetValue();
    [Alias("Exists")] Task<bool> Exists();
    [Alias("Clear")] Task Clear();
    [Alias("StartReminder")] Task StartReminder(string name, TimeSpan dueTime, TimeSpan period);
    [Alias("StopReminder")] Task StopReminder(string name);
}

public sealed class ProviderTestGrain([PersistentState("counter")] IPersistentState<CounterState> state)
    : Grain, IProviderTestGrain, IRemindable
{
    public async Task SetValue(int value, string? note)
    {
        state.State.Value = value;
        state.State.Note = note;
        await state.WriteStateAsync();
    }

    public Task<CounterState> GetValue() => Task.FromResult(state.State);

    public Task<bool> Exists() => Task.FromResult(state.RecordExists);

    public Task Clear() => state.ClearStateAsync();

    public async Task StartReminder(string name, TimeSpan dueTime, TimeSpan period)
        => await this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task StopReminder(string name)
    {
        var reminder = await this.GetReminder(name);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ReminderProbe.Fired(this.GetPrimaryKeyString(), reminderName);
        return Task.CompletedTask;
    }
}

/// <summary>Lets tests await a reminder tick of a given grain, without polling or sleeping.</summary>
public static class ReminderProbe
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Waiters = new();

    public static Task WaitAsync(string grainKey, string reminderName, TimeSpan timeout)
        => Waiters.GetOrAdd(Key(grainKey, reminderName), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
            .Task.WaitAsync(timeout);

    /// <summary>Forgets earlier ticks so the next wait needs a new one.</summary>
    public static void Reset(string grainKey, string reminderName) => Waiters.TryRemove(Key(grainKey, reminderName), out _);

    internal static void Fired(string grainKey, string reminderName)
        => Waiters.GetOrAdd(Key(grainKey, reminderName), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
            .TrySetResult();

    private static string Key(string grainKey, string reminderName) => grainKey + "/" + reminderName;
}
