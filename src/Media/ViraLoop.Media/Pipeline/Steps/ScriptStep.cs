using ViraLoop.Media.Captions;
using ViraLoop.Media.Writing;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>What the script step needs: the person's request.</summary>
public sealed record ScriptSpec(VideoRequest Request);

/// <summary>The script, checked to be drawable by the caption font.</summary>
public sealed record ScriptResult(Script Script);

/// <summary>Step 1: the writer turns the request into scenes; text the caption font cannot draw is refused here, before any rendering.</summary>
public sealed class ScriptStep(IScriptWriter writer)
{
    public async Task<ScriptResult> RunAsync(ScriptSpec spec, CancellationToken cancellationToken = default)
    {
        var script = await writer.WriteAsync(spec.Request, cancellationToken);
        if (script.Scenes.Count == 0) throw new InvalidOperationException("The script writer returned no scenes.");
        FontCoverage.Ensure(script.Scenes.SelectMany(s => s.Keywords.Append(s.Narration)).Append(script.Title));
        return new ScriptResult(script);
    }
}
