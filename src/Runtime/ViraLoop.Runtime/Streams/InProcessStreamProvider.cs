using System.Collections.Concurrent;
using System.Threading.Channels;

namespace ViraLoop.Runtime.Streams;

/// <summary>
/// Ordered delivery to local subscribers: each subscription has its own queue and reader, so a
/// slow subscriber never blocks the publishing grain or the other subscribers.
/// </summary>
public sealed class InProcessStreamProvider : IStreamProvider
{
    private readonly ConcurrentDictionary<StreamId, ImmutableSubscriptions> _subscriptions = new();

    public IAsyncStream<T> GetStream<T>(string streamNamespace, string key) => new Stream<T>(this, new StreamId(streamNamespace, key));

    /// <summary>Delivers an event that arrived from elsewhere (a broker) to the local subscribers of its stream.</summary>
    public void Publish(StreamId id, object? item)
    {
        if (_subscriptions.TryGetValue(id, out var subs))
            foreach (var s in subs.Items) s.Enqueue(item);
    }

    public bool HasSubscribers(StreamId id) => _subscriptions.TryGetValue(id, out var s) && s.Items.Length > 0;

    internal LocalSubscription Add(StreamId id, Func<object?, CancellationToken, Task> handler)
    {
        var sub = new LocalSubscription(handler, s => Remove(id, s));
        _subscriptions.AddOrUpdate(id, _ => new ImmutableSubscriptions([sub]), (_, old) => new ImmutableSubscriptions([.. old.Items, sub]));
        return sub;
    }

    private void Remove(StreamId id, LocalSubscription sub) =>
        _subscriptions.AddOrUpdate(id, _ => new ImmutableSubscriptions([]), (_, old) => new ImmutableSubscriptions(old.Items.Where(x => x != sub).ToArray()));

    internal sealed record ImmutableSubscriptions(LocalSubscription[] Items);

    internal sealed class LocalSubscription : IAsyncDisposable
    {
        private readonly Channel<object?> _queue = Channel.CreateUnbounded<object?>(new UnboundedChannelOptions { SingleReader = true });
        private readonly CancellationTokenSource _cts = new();
        private readonly Action<LocalSubscription> _onDispose;
        private readonly Task _reader;

        public LocalSubscription(Func<object?, CancellationToken, Task> handler, Action<LocalSubscription> onDispose)
        {
            _onDispose = onDispose;
            _reader = Task.Run(async () =>
            {
                await foreach (var item in _queue.Reader.ReadAllAsync(_cts.Token).ConfigureAwait(false))
                {
                    try { await handler(item, _cts.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) when (_cts.IsCancellationRequested) { return; }
                    catch (Exception) { /* a failing subscriber does not stop the stream */ }
                }
            });
        }

        public void Enqueue(object? item) => _queue.Writer.TryWrite(item);

        public async ValueTask DisposeAsync()
        {
            _onDispose(this);
            _queue.Writer.TryComplete();
            try { await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
            catch (Exception) { _cts.Cancel(); }
        }
    }

    private sealed class Stream<T>(InProcessStreamProvider owner, StreamId id) : IAsyncStream<T>
    {
        public StreamId Id => id;

        public Task OnNextAsync(T item, CancellationToken cancellationToken = default)
        {
            owner.Publish(id, item);
            return Task.CompletedTask;
        }

        public Task<IAsyncDisposable> SubscribeAsync(Func<T, CancellationToken, Task> onNext, CancellationToken cancellationToken = default) =>
            Task.FromResult<IAsyncDisposable>(owner.Add(id, (o, ct) => onNext((T)o!, ct)));
    }
}
