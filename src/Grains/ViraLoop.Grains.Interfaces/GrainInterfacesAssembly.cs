namespace ViraLoop.Grains;

/// <summary>Anchor for the grain interfaces and messages shared by silos and clients.</summary>
public static class GrainInterfacesAssembly { }
