namespace ViraLoop.Runtime;

/// <summary>Marks a grain interface and gives it a stable type name used for routing and storage.</summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Placement by silo role: the grain activates only on silos that carry this role
/// (for example <c>gpu</c>). Put it on the grain interface so callers and silos agree.
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Class, Inherited = false)]
public sealed class SiloRoleAttribute(string role) : Attribute
{
    public string Role { get; } = role;
}

/// <summary>A grain method whose caller does not wait for the turn: the task completes once the message is accepted by the transport.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class OneWayAttribute : Attribute;

/// <summary>Names the persisted state a grain constructor parameter of type <see cref="IPersistentState{TState}"/> binds to.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class PersistentStateAttribute(string stateName) : Attribute
{
    public string StateName { get; } = stateName;
}

/// <summary>
/// A message type that is never mutated after it is sent: embedded mode passes it by reference
/// instead of copying it through the serializer (Orleans' <c>[Immutable]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class ImmutableAttribute : Attribute;
