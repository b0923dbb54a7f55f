using System.Text.Json.Nodes;

namespace ViraLoop.Runtime;

/// <summary>
/// The schema version of a grain state class (1 when absent). Stored state carries the version it was
/// written with; older state is upgraded on load by <see cref="IStateMigration{TState}"/> steps.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StateVersionAttribute(int version) : Attribute
{
    public int Version { get; } = version;
}

/// <summary>
/// One upgrade step of stored state, from <see cref="FromVersion"/> to the next version, on the raw JSON.
/// Register implementations in the silo's services; steps run in order on activation.
/// </summary>
public interface IStateMigration<TState>
{
    int FromVersion { get; }
    JsonObject Upgrade(JsonObject state);
}
