using ViraLoop.Media.Safety.Moderation;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Storage;
using ViraLoop.Media.Writing;

namespace ViraLoop.Grains.Execution;

/// <summary>What the pipeline grains use, in one place: the media ports, the blob store, the executor and the options.</summary>
public sealed class PipelineServices(
    IScriptWriter writer,
    ISpeechSynthesizer voice,
    IBlobStore blobs,
    CpuExecutor cpu,
    VisualBackendCatalog visuals,
    PipelineOptions options,
    ContentModeration? moderation = null)
{
    /// <summary>The content checks: the offline rules, and a remote moderation endpoint where configured.</summary>
    public ContentModeration Moderation { get; } = moderation ?? ContentModeration.Offline;

    public IScriptWriter Writer { get; } = writer;
    public ISpeechSynthesizer Voice { get; } = voice;
    public IBlobStore Blobs { get; } = blobs;
    public CpuExecutor Cpu { get; } = cpu;
    public VisualBackendCatalog Visuals { get; } = visuals;
    public PipelineOptions Options { get; } = options;

    /// <summary>The local path of a blob the pipeline wrote (throws when it is missing: its producer must redo it).</summary>
    public async Task<string> PathOfAsync(string key, CancellationToken ct = default) =>
        await Blobs.GetAsync(key, ct) is { } blob ? Blobs.LocalPath(blob)
        : throw new BlobMissingException(key);
}

/// <summary>A blob a grain's state refers to is not in the store (a lost volume, or a write that never finished).</summary>
public sealed class BlobMissingException(string key) : Exception($"The stored file {key} is missing.")
{
    public string Key { get; } = key;
}
