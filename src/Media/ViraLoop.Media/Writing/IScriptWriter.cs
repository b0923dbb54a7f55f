namespace ViraLoop.Media.Writing;

/// <summary>Turns a request into scenes. Offline: words come from templates and the user's text; with an LLM, from the LLM.</summary>
public interface IScriptWriter
{
    Task<Script> WriteAsync(VideoRequest request, CancellationToken cancellationToken = default);
}
