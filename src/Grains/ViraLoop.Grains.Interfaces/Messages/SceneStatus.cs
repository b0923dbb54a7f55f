namespace ViraLoop.Grains.Messages;

/// <summary>Where one scene of a job stands.</summary>
[GenerateSerializer, Alias("vl.scene-status")]
public enum SceneStatus
{
    Pending = 0,
    Voicing = 1,
    Voiced = 2,
    Rendering = 3,
    Ready = 4,
    Failed = 5,
}
