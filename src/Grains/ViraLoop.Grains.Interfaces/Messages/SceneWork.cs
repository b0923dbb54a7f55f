using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Visuals;
using ViraLoop.Media.Visuals.Backends;

namespace ViraLoop.Grains.Messages;

/// <summary>Speak one scene's narration (command to a scene, and through it to the scene cache).</summary>
[GenerateSerializer, Immutable, Alias("vl.voice-scene")]
public sealed record VoiceScene(
    [property: Id(0)] string JobKey,
    [property: Id(1)] int SceneIndex,
    [property: Id(2)] string Narration,
    [property: Id(3)] string Language,
    [property: Id(4)] double Speed,
    [property: Id(5)] string VoiceEngine,
    [property: Id(6)] string? TraceParent = null,
    [property: Id(7)] string? Tone = null);

/// <summary>
/// Make one scene's visual: the timed scene of a video with that palette and seed (what the procedural renderer draws),
/// <see cref="Job"/> (what a generative backend is given), the output format, and the backend to use.
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.render-scene")]
public sealed record RenderScene(
    [property: Id(0)] string JobKey,
    [property: Id(1)] string TenantId,
    [property: Id(2)] int SceneIndex,
    [property: Id(3)] TimedScene Scene,
    [property: Id(4)] Palette VideoPalette,
    [property: Id(5)] int VideoSeed,
    [property: Id(6)] VisualJob Job,
    [property: Id(7)] RenderSettings Settings,
    [property: Id(8)] string Backend,
    [property: Id(9)] string Priority,
    [property: Id(10)] string? TraceParent = null);

/// <summary>A scene's voice is ready: the result's audio path is a blob key.</summary>
[GenerateSerializer, Immutable, Alias("vl.scene-voiced")]
public sealed record SceneVoiced(
    [property: Id(0)] string CacheKey,
    [property: Id(1)] SceneVoiceResult Voice,
    [property: Id(2)] JobSpan? Span = null);

/// <summary>
/// A scene's visual is ready: the visual (a clip's path is a blob key), its preview frame (blob key), the backend that
/// made it, a note when it fell back, and which worker made it (under which lease token).
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.scene-rendered")]
public sealed record SceneRendered(
    [property: Id(0)] string CacheKey,
    [property: Id(1)] SceneVisual Visual,
    [property: Id(2)] string? PreviewKey,
    [property: Id(3)] string Backend,
    [property: Id(4)] string? Note,
    [property: Id(5)] string Worker,
    [property: Id(6)] long Token,
    [property: Id(7)] JobSpan? Span = null);

/// <summary>What a cache entry answers: the result now, or pending (the waiter is told later), or failed with a reason.</summary>
[GenerateSerializer, Immutable, Alias("vl.cache-answer")]
public sealed record CacheAnswer(
    [property: Id(0)] SceneVoiced? Voice,
    [property: Id(1)] SceneRendered? Render,
    [property: Id(2)] string? Error)
{
    public static readonly CacheAnswer Pending = new(null, null, null);
    public bool IsPending => Voice is null && Render is null && Error is null;
}
