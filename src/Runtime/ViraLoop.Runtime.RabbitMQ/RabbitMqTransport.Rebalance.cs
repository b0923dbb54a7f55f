using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using ViraLoop.Runtime.Messaging;

namespace ViraLoop.Runtime.RabbitMQ;

/// <summary>
/// Spreading partitions over silos. Every silo that hosts a grain type waits on all its partition queues
/// (single active consumer: one owner each). Rendezvous hashing over the live silos names the owner each
/// partition should have; a silo that is serving a partition it should not own hands it over the way a crash
/// would, but cleanly: it stops dispatching, lets the turns in flight finish and acknowledge, then closes the
/// channel — the broker requeues what it still held, in order, and makes the next silo in line active — and it
/// joins the end of the line again. The next silo does the same until the owner has it. A silo that joins
/// therefore takes its share within a few heartbeats, without giving up per-key order.
/// </summary>
public sealed partial class RabbitMqTransport : IPartitionBalancer
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    public event Action<string>? PartitionReleased;

    internal sealed class PartitionConsumer(string grainType, int index, IChannel channel)
    {
        private long _inFlight;
        private long _lastDelivery;
        private TaskCompletionSource? _drained;

        public string GrainType { get; } = grainType;
        public int Index { get; } = index;
        public IChannel Channel { get; } = channel;
        public string Name { get; } = $"{grainType}/{index}";
        public string? Tag { get; set; }
        public volatile bool HandingOver;

        public void Dispatched()
        {
            Interlocked.Increment(ref _inFlight);
            Interlocked.Exchange(ref _lastDelivery, Stopwatch.GetTimestamp());
        }

        public void Settled()
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && HandingOver) Volatile.Read(ref _drained)?.TrySetResult();
        }

        /// <summary>True when this channel received a delivery within <paramref name="window"/>: it is the partition's active consumer.</summary>
        public bool RecentlyActive(TimeSpan window) =>
            Interlocked.Read(ref _lastDelivery) != 0 && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastDelivery)) < window;

        /// <summary>Stops dispatching and completes once every dispatched delivery is settled.</summary>
        public Task StopAndDrainAsync()
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _drained, tcs);
            HandingOver = true;
            if (Interlocked.Read(ref _inFlight) == 0) tcs.TrySetResult();
            return tcs.Task;
        }
    }

    /// <summary>The silo that should own a partition: the highest hash of (type, partition, silo) among the silos hosting the type.</summary>
    public static string? DesiredOwner(string grainType, int partition, IEnumerable<string> silos) =>
        silos.OrderByDescending(s => Hash($"{grainType}/{partition}/{s}")).ThenBy(s => s, StringComparer.Ordinal).FirstOrDefault();

    /// <summary>FNV-1a over UTF-8, finished with a 64-bit mixer so similar names spread evenly.</summary>
    private static ulong Hash(string s)
    {
        ulong h = 14695981039346656037;
        foreach (var b in Encoding.UTF8.GetBytes(s)) h = (h ^ b) * 1099511628211;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccd;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53;
        return h ^ (h >> 33);
    }

    public async Task RebalanceAsync(IReadOnlyList<SiloInfo> liveSilos, CancellationToken cancellationToken = default)
    {
        if (!options.Rebalance || !_consuming) return;
        List<PartitionConsumer> consumers;
        lock (_consumers) consumers = _consumers.ToList();
        var window = options.Heartbeat * 2;
        foreach (var pc in consumers)
        {
            if (cancellationToken.IsCancellationRequested || !_consuming) return;
            var hosts = liveSilos.Where(s => s.GrainTypes?.Contains(pc.GrainType) == true).Select(s => s.SiloId).ToList();
            if (!hosts.Contains(SiloId)) continue; // not registered yet: no view to act on
            var owner = DesiredOwner(pc.GrainType, pc.Index, hosts);
            if (owner == SiloId || !pc.RecentlyActive(window) || pc.HandingOver) continue;
            await HandOverAsync(pc, owner!, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandOverAsync(PartitionConsumer pc, string owner, CancellationToken ct)
    {
        var drained = pc.StopAndDrainAsync();
        if (await Task.WhenAny(drained, Task.Delay(DrainTimeout, ct)).ConfigureAwait(false) != drained)
            _log.LogWarning("Partition {Partition}: turns still running after {Timeout}; handing over anyway (their writes are fenced)", pc.Name, DrainTimeout);
        PartitionReleased?.Invoke(pc.Name);
        // Closing the channel requeues what the broker still had in flight to us, in order, and makes the next consumer active.
        await CloseQuietlyAsync(pc.Channel).ConfigureAwait(false);
        var fresh = await ConsumeAsync(pc.GrainType, pc.Index, ct).ConfigureAwait(false);
        lock (_consumers)
        {
            _consumers.Remove(pc);
            _consumers.Add(fresh);
        }
        _log.LogInformation("Silo {Silo} handed partition {Partition} on towards {Owner}", SiloId, pc.Name, owner);
    }
}
