namespace ViraLoop.Runtime;

/// <summary>Identity of a grain: its type name and its key.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}

/// <summary>Identity of a stream: a namespace and a key, like Orleans' StreamId.</summary>
public readonly record struct StreamId(string Namespace, string Key)
{
    public override string ToString() => $"{Namespace}/{Key}";
}
