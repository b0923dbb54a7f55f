using System.Reflection;
using System.Text;
using ViraLoop.Runtime.Messaging;

namespace ViraLoop.Runtime.Hosting;

/// <summary>Creates grain references and sends their calls through the transport.</summary>
public sealed class GrainFactory(SiloOptions options, IMessageTransport transport) : IGrainFactory
{
    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrain
    {
        if (string.IsNullOrEmpty(key)) throw new ArgumentException("A grain key must not be empty.", nameof(key));
        var info = GrainTypeRegistry.Get(typeof(TGrain));
        var proxy = DispatchProxy.Create<TGrain, GrainProxy>();
        var gp = (GrainProxy)(object)proxy!;
        gp.Factory = this;
        gp.Info = info;
        gp.GrainId = new GrainId(info.Name, key);
        return proxy;
    }

    internal Envelope CreateEnvelope(GrainInterfaceInfo info, GrainId target, GrainMethod method, object?[] args)
    {
        var deadline = method.IsOneWay ? 0 : options.TimeProvider.GetUtcNow().Add(options.CallTimeout).ToUnixTimeMilliseconds();
        if (transport.SerializesMessages)
        {
            return new Envelope
            {
                MessageId = Guid.NewGuid().ToString("N"), Target = target, Method = method.Name, OneWay = method.IsOneWay,
                Body = MessageSerializer.SerializeArgs(method, MessageSerializer.WireArgs(method, args)),
                DeadlineUnixMs = deadline, SenderSilo = options.SiloId, TraceParent = System.Diagnostics.Activity.Current?.Id,
            };
        }
        return new Envelope
        {
            MessageId = Guid.NewGuid().ToString("N"), Target = target, Method = method.Name, OneWay = method.IsOneWay,
            Args = options.CopyMessages ? MessageSerializer.CopyArgs(method, args) : MessageSerializer.WireArgs(method, args),
            DeadlineUnixMs = deadline, SenderSilo = options.SiloId, TraceParent = System.Diagnostics.Activity.Current?.Id,
        };
    }

    internal ValueTask SendAsync(Envelope envelope, CancellationToken ct) => transport.SendAsync(envelope, ct);

    internal async Task<object?> RequestAsync(Envelope envelope, GrainMethod method, CancellationToken ct)
    {
        var response = await transport.RequestAsync(envelope, options.CallTimeout, ct).ConfigureAwait(false);
        if (!response.Ok)
            throw new GrainCallException(envelope.Target, envelope.Method, response.ErrorType ?? "Error", response.ErrorMessage ?? "");
        if (method.ResultType is null) return null;
        return response.HasBody
            ? MessageSerializer.Deserialize(response.Body.Span, method.ResultType, $"result of {method.Name}")
            : response.Value;
    }

    /// <summary>Sends a reminder tick to a grain known only by its type name (the claiming silo may not host it).</summary>
    internal ValueTask SendReminderAsync(GrainId target, string reminderName, CancellationToken ct)
    {
        var envelope = new Envelope
        {
            MessageId = $"reminder:{target}:{reminderName}:{Guid.NewGuid():N}", Target = target, Method = Envelope.ReminderMethod, OneWay = true,
            Body = transport.SerializesMessages ? Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new[] { reminderName })) : default,
            Args = transport.SerializesMessages ? null : [reminderName],
            SenderSilo = options.SiloId,
        };
        return transport.SendAsync(envelope, ct);
    }
}
