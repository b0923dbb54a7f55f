using ViraLoop.Media.Music;
using ViraLoop.Media.Visuals;
using ViraLoop.Media.Writing;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>
/// The choices a job makes once, before any work, from the request alone: its seed, its palette and its music. The same
/// request always gives the same choices, so a job that is resumed or rendered again looks the same.
/// </summary>
public sealed record VideoChoices(int Seed, Palette Palette, MusicSpec Music)
{
    /// <summary>Validates the request (bad input throws <see cref="MediaInputException"/>) and makes the job's choices.</summary>
    public static VideoChoices For(VideoRequest request)
    {
        TemplateScriptWriter.Validate(request);
        Text.InputText.Check(request);
        var seed = request.Seed ?? TemplateScriptWriter.StableHash(request.Topic.Trim());
        var motif = VisualMotifs.Match($"{request.Topic} {request.Text}", request.Language);
        var palette = request.Palette is null && motif is not null ? Palette.Named[motif.Palette] : Palette.Resolve(request.Palette, seed);
        var music = MusicSpec.ForMood(request.Mood, seed);
        VisualStyles.ForScene(request.Style, 0, seed); // validates the style name before any work
        return new VideoChoices(seed, palette, music);
    }
}
