namespace ViraLoop.Media.Writing;

/// <summary>Turns a request into scenes. Offline: words come from templates and the user's text; with an LLM, from the LLM.</summary>
public interface IScriptWriter
{
    Task<Script> WriteAsync(VideoRequest request, CancellationToken cancellationToken = default);

    /// <summary>Throws <see cref="MediaInputException"/> for a request this writer cannot write (checked at submission).</summary>
    void EnsureCanWrite(VideoRequest request) { }
}
