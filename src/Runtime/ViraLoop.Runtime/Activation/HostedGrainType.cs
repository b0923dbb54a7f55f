using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Runtime.Messaging;
using ViraLoop.Runtime.Storage;

namespace ViraLoop.Runtime.Activation;

/// <summary>A grain class this silo hosts for one grain interface, and how to construct it.</summary>
internal sealed class HostedGrainType
{
    private readonly ConstructorInfo _ctor;
    private readonly ParameterInfo[] _parameters;

    public HostedGrainType(GrainInterfaceInfo info, Type implementation)
    {
        if (!info.InterfaceType.IsAssignableFrom(implementation) || !typeof(Grain).IsAssignableFrom(implementation) || implementation.IsAbstract)
            throw new ArgumentException($"{implementation.Name} must be a concrete Grain implementing {info.InterfaceType.Name}.");
        Info = info;
        Implementation = implementation;
        _ctor = implementation.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
            ?? throw new ArgumentException($"{implementation.Name} has no public constructor.");
        _parameters = _ctor.GetParameters();
    }

    public GrainInterfaceInfo Info { get; }
    public Type Implementation { get; }

    public (Grain Grain, List<IActivationState> States) Create(IServiceProvider services, IGrainContext context, IGrainStateStore store, Action onConflict)
    {
        var states = new List<IActivationState>();
        var args = new object?[_parameters.Length];
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            var t = p.ParameterType;
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IPersistentState<>))
            {
                var name = p.GetCustomAttribute<PersistentStateAttribute>()?.StateName ?? p.Name ?? "state";
                var stateType = typeof(PersistentState<>).MakeGenericType(t.GetGenericArguments()[0]);
                var state = (IActivationState)Activator.CreateInstance(stateType, store, context.GrainId, name, onConflict, services)!;
                states.Add(state);
                args[i] = state;
            }
            else if (t == typeof(IGrainContext)) args[i] = context;
            else if (t == typeof(IGrainFactory)) args[i] = context.GrainFactory;
            else args[i] = services.GetService(t) ?? (p.HasDefaultValue ? p.DefaultValue
                : throw new InvalidOperationException($"{Implementation.Name} needs a {t.Name}, which is not registered in the silo's services."));
        }
        var grain = (Grain)_ctor.Invoke(args);
        grain.Attach(context);
        return (grain, states);
    }
}
