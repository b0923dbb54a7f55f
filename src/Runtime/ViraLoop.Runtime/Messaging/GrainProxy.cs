using System.Collections.Concurrent;
using System.Reflection;

namespace ViraLoop.Runtime.Messaging;

/// <summary>Turns calls on a grain interface into envelopes. Created by <see cref="Hosting.GrainFactory"/>.</summary>
public class GrainProxy : DispatchProxy
{
    private static readonly ConcurrentDictionary<Type, Func<GrainProxy, Envelope, GrainMethod, CancellationToken, object>> RequestFactories = new();

    internal Hosting.GrainFactory Factory { get; set; } = null!;
    internal GrainInterfaceInfo Info { get; set; } = null!;
    public GrainId GrainId { get; internal set; }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod is null) throw new ArgumentNullException(nameof(targetMethod));
        if (!Info.ByMethodInfo.TryGetValue(targetMethod, out var method))
        {
            if (targetMethod.Name == nameof(ToString)) return GrainId.ToString();
            throw new NotSupportedException($"{targetMethod.Name} is not a grain method of {Info.Name}.");
        }
        args ??= [];
        var ct = method.CancellationTokenIndex >= 0 && args[method.CancellationTokenIndex] is CancellationToken t ? t : default;
        var envelope = Factory.CreateEnvelope(Info, GrainId, method, args);
        if (method.IsOneWay) return Factory.SendAsync(envelope, ct).AsTask();
        if (method.Kind == ReturnKind.Task) return Factory.RequestAsync(envelope, method, ct);
        var create = RequestFactories.GetOrAdd(method.ResultType!, static t =>
        {
            var m = typeof(GrainProxy).GetMethod(nameof(RequestTyped), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(t);
            return (Func<GrainProxy, Envelope, GrainMethod, CancellationToken, object>)Delegate.CreateDelegate(
                typeof(Func<GrainProxy, Envelope, GrainMethod, CancellationToken, object>), m);
        });
        return create(this, envelope, method, ct);
    }

    private static object RequestTyped<T>(GrainProxy proxy, Envelope envelope, GrainMethod method, CancellationToken ct) =>
        Await<T>(proxy.Factory.RequestAsync(envelope, method, ct));

    private static async Task<T> Await<T>(Task<object?> task) => (T)(await task)!;
}
