using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Serialization;
using Orleans.Streams;

namespace ViraLoop.Streams.RabbitMQ;

/// <summary>
/// Orleans queue adapter factory of the RabbitMQ persistent stream provider: one adapter (publisher + receivers),
/// a hash-ring queue mapper over <see cref="RabbitMqStreamOptions.QueueCount"/> queues and a SimpleQueueCache per queue.
/// </summary>
public sealed class RabbitMqQueueAdapterFactory : IQueueAdapterFactory, IAsyncDisposable
{
    private readonly string _name;
    private readonly RabbitMqStreamOptions _options;
    private readonly Serializer<RabbitMqBatchContainer> _serializer;
    private readonly ILoggerFactory _loggerFactory;
    private readonly HashRingBasedStreamQueueMapper _mapper;
    private readonly SimpleQueueAdapterCache _cache;
    private readonly Lock _adapterLock = new();
    private RabbitMqQueueAdapter? _adapter;

    /// <summary>Creates a factory (normally through <see cref="Create"/>).</summary>
    public RabbitMqQueueAdapterFactory(string name, RabbitMqStreamOptions options, Serializer<RabbitMqBatchContainer> serializer, ILoggerFactory loggerFactory)
    {
        _name = name;
        _options = options;
        _serializer = serializer;
        _loggerFactory = loggerFactory;
        _mapper = new HashRingBasedStreamQueueMapper(new HashRingStreamQueueMapperOptions { TotalQueueCount = options.QueueCount }, name);
        _cache = new SimpleQueueAdapterCache(new SimpleQueueCacheOptions { CacheSize = options.CacheSize }, name, loggerFactory);
    }

    /// <summary>Factory method given to <c>AddPersistentStreams</c>.</summary>
    public static RabbitMqQueueAdapterFactory Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<RabbitMqStreamOptions>>().Get(name);
        return new RabbitMqQueueAdapterFactory(name, options,
            services.GetRequiredService<Serializer<RabbitMqBatchContainer>>(),
            services.GetRequiredService<ILoggerFactory>());
    }

    /// <summary>The adapter, once created.</summary>
    public RabbitMqQueueAdapter GetOrCreateAdapter()
    {
        lock (_adapterLock)
        {
            return _adapter ??= new RabbitMqQueueAdapter(_name, _options, _mapper, _serializer, _loggerFactory);
        }
    }

    /// <inheritdoc />
    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(GetOrCreateAdapter());

    /// <inheritdoc />
    public Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) => Task.FromResult<IQueueAdapter>(GetOrCreateAdapter());

    /// <inheritdoc />
    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    /// <inheritdoc />
    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    /// <inheritdoc />
    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new NoOpStreamDeliveryFailureHandler());

    /// <summary>Closes the adapter's connections (the DI container calls this when the silo/client is disposed).</summary>
    public ValueTask DisposeAsync() => _adapter?.DisposeAsync() ?? ValueTask.CompletedTask;
}
