using System.Globalization;
using Orleans;
using Orleans.Runtime;
using Orleans.Streams;

namespace ViraLoop.Streams.RabbitMQ;

/// <summary>
/// Sequence token of the RabbitMQ provider. <see cref="SequenceNumber"/> orders messages as one queue's receiver
/// took them (what the pulling agent's cache compares); <see cref="PublisherId"/> + <see cref="PublisherSequence"/>
/// + <see cref="EventIndex"/> identify the published event stably across redeliveries, so a subscriber can drop
/// duplicates (redelivery after a silo crash) with <see cref="DedupeKey"/>.
/// </summary>
[GenerateSerializer, Alias("ViraLoop.Streams.RabbitMQ.RabbitMqStreamSequenceToken")]
public sealed class RabbitMqStreamSequenceToken : StreamSequenceToken
{
    /// <summary>Receive-order number of the message within its queue (assigned by the receiver).</summary>
    [Id(0)] public override long SequenceNumber { get; protected set; }

    /// <summary>Index of the event within its message.</summary>
    [Id(1)] public override int EventIndex { get; protected set; }

    /// <summary>Identity of the publishing adapter instance (one per silo/client process start).</summary>
    [Id(2)] public Guid PublisherId { get; private set; }

    /// <summary>Monotonically increasing number the publisher stamped on the message.</summary>
    [Id(3)] public long PublisherSequence { get; private set; }

    /// <summary>Serializer constructor.</summary>
    public RabbitMqStreamSequenceToken() { }

    /// <summary>Creates a token.</summary>
    public RabbitMqStreamSequenceToken(long sequenceNumber, int eventIndex, Guid publisherId, long publisherSequence)
    {
        SequenceNumber = sequenceNumber;
        EventIndex = eventIndex;
        PublisherId = publisherId;
        PublisherSequence = publisherSequence;
    }

    /// <summary>Stable identity of the event across redeliveries.</summary>
    public (Guid PublisherId, long PublisherSequence, int EventIndex) DedupeKey => (PublisherId, PublisherSequence, EventIndex);

    internal RabbitMqStreamSequenceToken ForEvent(int eventIndex) => new(SequenceNumber, eventIndex, PublisherId, PublisherSequence);

    /// <inheritdoc />
    public override bool Equals(StreamSequenceToken? other) =>
        other is RabbitMqStreamSequenceToken t && t.SequenceNumber == SequenceNumber && t.EventIndex == EventIndex;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is StreamSequenceToken t && Equals(t);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(SequenceNumber, EventIndex);

    /// <inheritdoc />
    public override int CompareTo(StreamSequenceToken? other)
    {
        if (other is null) return 1;
        var c = SequenceNumber.CompareTo(other.SequenceNumber);
        return c != 0 ? c : EventIndex.CompareTo(other.EventIndex);
    }

    /// <inheritdoc />
    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "[RabbitMqToken: Seq={0}, Index={1}, Publisher={2:N}/{3}]", SequenceNumber, EventIndex, PublisherId, PublisherSequence);
}

/// <summary>One RabbitMQ message: the events one <c>OnNextAsync</c>/<c>OnNextBatchAsync</c> published to one stream.</summary>
[GenerateSerializer, Alias("ViraLoop.Streams.RabbitMQ.RabbitMqBatchContainer")]
public sealed class RabbitMqBatchContainer : IBatchContainer
{
    /// <summary>Stream the events belong to.</summary>
    [Id(0)] public StreamId StreamId { get; private set; }

    /// <summary>The events, in publish order.</summary>
    [Id(1)] public List<object> Events { get; private set; } = [];

    /// <summary>Request context captured at publish time (may be null).</summary>
    [Id(2)] public Dictionary<string, object>? RequestContext { get; private set; }

    /// <summary>Identity of the publishing adapter instance.</summary>
    [Id(3)] public Guid PublisherId { get; private set; }

    /// <summary>Publisher-assigned, monotonically increasing message number.</summary>
    [Id(4)] public long PublisherSequence { get; private set; }

    /// <summary>Assigned by the receiver when the message is handed to the pulling agent.</summary>
    [Id(5)] public RabbitMqStreamSequenceToken? Token { get; internal set; }

    // Receive-side bookkeeping, never serialized.
    [NonSerialized] internal ulong DeliveryTag;
    [NonSerialized] internal long Generation;
    [NonSerialized] internal bool Redelivered;

    /// <summary>Serializer constructor.</summary>
    public RabbitMqBatchContainer() { }

    /// <summary>Creates a container.</summary>
    public RabbitMqBatchContainer(StreamId streamId, List<object> events, Dictionary<string, object>? requestContext, Guid publisherId, long publisherSequence)
    {
        StreamId = streamId;
        Events = events;
        RequestContext = requestContext;
        PublisherId = publisherId;
        PublisherSequence = publisherSequence;
    }

    /// <inheritdoc />
    public StreamSequenceToken SequenceToken =>
        Token ?? throw new InvalidOperationException("The receiver assigns the sequence token before the container reaches the cache.");

    /// <inheritdoc />
    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        var token = (RabbitMqStreamSequenceToken)SequenceToken;
        for (var i = 0; i < Events.Count; i++)
        {
            if (Events[i] is T e) yield return Tuple.Create(e, (StreamSequenceToken)token.ForEvent(i));
        }
    }

    /// <inheritdoc />
    public bool ImportRequestContext()
    {
        if (RequestContext is null || RequestContext.Count == 0) return false;
        foreach (var (key, value) in RequestContext) Orleans.Runtime.RequestContext.Set(key, value);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"[RabbitMqBatchContainer: Stream={StreamId}, Events={Events.Count}, Publisher={PublisherId:N}/{PublisherSequence}, Token={Token}]";
}
