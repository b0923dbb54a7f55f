using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.Execution;

/// <summary>
/// Content addresses of scene work: SHA-256 over everything that decides the result (and nothing that does not: not the
/// job, tenant or priority), so identical scenes of different jobs share one entry.
/// </summary>
public static class CacheKeys
{
    public const string VoiceKind = "voice", VisualKind = "visual";

    /// <summary>The voice gene's tone is part of the content only when set, so the keys of normal voices stay as they were.</summary>
    public static string Voice(VoiceScene o) => o.Tone is null
        ? $"{VoiceKind}/{Hash(new { o.Narration, o.Language, o.Speed, o.VoiceEngine })}"
        : $"{VoiceKind}/{Hash(new { o.Narration, o.Language, o.Speed, o.VoiceEngine, o.Tone })}";

    /// <summary>The visual job's scene id only names the scene for the vendor: it is not content.</summary>
    public static string Visual(RenderScene o, string backendVersion) =>
        $"{VisualKind}/{Hash(new { o.SceneIndex, o.Scene, o.VideoPalette, o.VideoSeed, Job = o.Job with { SceneId = "" }, o.Settings, o.Backend, backendVersion })}";

    /// <summary>The hash part of a key (safe as a blob key segment).</summary>
    public static string HashOf(string key) => key[(key.IndexOf('/') + 1)..];

    public static string KindOf(string key) => key[..Math.Max(0, key.IndexOf('/'))];

    private static string Hash(object value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value))));
}
