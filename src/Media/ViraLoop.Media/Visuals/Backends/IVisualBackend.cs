namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// A source of scene visuals behind one port: the procedural renderer, an image-generation endpoint given motion,
/// a text-to-video vendor. It is shaped so that <b>paid work is never paid twice</b>:
/// <list type="number">
/// <item><see cref="CreateAsync"/> starts the (possibly paid) work and returns a <see cref="VisualTaskHandle"/>: the
/// vendor's task id and whatever else resuming needs. It makes exactly one request to the vendor and never retries.</item>
/// <item>The caller persists the handle (it is a JSON-serialisable record) <b>before</b> it polls.</item>
/// <item><see cref="PollAsync"/> and <see cref="DownloadAsync"/> need nothing but the handle: a new process with a new
/// backend instance resumes the same vendor task from the persisted handle instead of creating another one.</item>
/// </list>
/// There is one window no client can close: the vendor has accepted a create request but its answer never arrived.
/// A <see cref="VisualBackendUnavailableException"/> from <see cref="CreateAsync"/> with
/// <see cref="VisualBackendUnavailableException.OutcomeUnknown"/> set reports exactly that case; the caller should then
/// not create again blindly (fall back to the procedural renderer instead).
/// <para>Errors are typed: <see cref="VisualBackendRateLimitedException"/> (with the vendor's Retry-After),
/// <see cref="VisualBackendUnavailableException"/> (5xx, transport), <see cref="VisualBackendRejectedException"/> (4xx such
/// as a bad request or a content-policy refusal: not retryable) and <see cref="VisualBackendAuthenticationException"/>
/// (401/403 or no key: its message names the environment variable that holds the key). Backends do not retry by
/// themselves: the caller decides, knowing what a retry costs.</para>
/// </summary>
public interface IVisualBackend
{
    /// <summary>Stable name, stored in every handle (e.g. "runway", "openai-image").</summary>
    string Name { get; }

    /// <summary>What decides the pixels besides the job (model, API version, motion recipe): part of a scene's cache key.</summary>
    string Version { get; }

    /// <summary>Whether <see cref="CreateAsync"/> spends money.</summary>
    bool IsPaid { get; }

    /// <summary>
    /// Starts the work for <paramref name="job"/>. A backend whose vendor answers synchronously (an image endpoint) writes
    /// what it was given into <paramref name="workDirectory"/> at once (temporary name, then rename) and names it in the
    /// handle, so that what was paid for survives a crash.
    /// </summary>
    Task<VisualTaskHandle> CreateAsync(VisualJob job, string workDirectory, CancellationToken cancellationToken = default);

    /// <summary>Asks the vendor where the task stands. Safe to call any number of times, from any process.</summary>
    Task<VisualTaskState> PollAsync(VisualTaskHandle handle, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fetches the result of a task in state <see cref="VisualTaskStatus.Succeeded"/> and fits it to the job: a video file of
    /// the job's width, height, frame rate and duration, written into <paramref name="outputDirectory"/> atomically.
    /// Calling it again after it finished returns the same file without fetching again.
    /// </summary>
    Task<VisualClip> DownloadAsync(VisualTaskHandle handle, VisualTaskState done, string outputDirectory, CancellationToken cancellationToken = default);
}
