using System.Text.Json;
using System.Text.Json.Serialization;
using ViraLoop.Contracts;
using ViraLoop.Grains.Messages;
using ViraLoop.Media.Pipeline;

namespace ViraLoop.Api.Videos;

/// <summary>Reads and checks request bodies: size, JSON shape, unknown fields, lengths, control characters.</summary>
public static class BodyReader
{
    public const int MaxBytes = 64 * 1024;

    public static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 16,
        NumberHandling = JsonNumberHandling.Strict,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>The body as <typeparamref name="T"/>, or the reason it is not one (a sentence for the problem's detail).</summary>
    public static async Task<(T? Value, string? Error, int Status)> ReadAsync<T>(Microsoft.AspNetCore.Http.HttpRequest request, bool optional = false, int maxBytes = MaxBytes)
        where T : class
    {
        if (request.ContentLength > maxBytes) return (null, $"The body is larger than {maxBytes / 1024} KB.", 413);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > maxBytes) return (null, $"The body is larger than {maxBytes / 1024} KB.", 413);
        }
        if (buffer.Length == 0)
            return optional ? (null, null, 200) : (null, "The body is empty; send a JSON object.", 400);
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, $"Send the body as application/json, not {Printable(type, 60)}.", 415);
        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.ToArray(), Strict);
            return value is null ? (null, "The body must be a JSON object, not null.", 400) : (value, null, 200);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path[2..] : null;
            var detail = e.Message.Contains("could not be mapped", StringComparison.Ordinal) ? $"Unknown field '{Printable(field ?? "?", 60)}'."
                : e.Message.Contains("could not be converted", StringComparison.Ordinal) && field is not null ? $"Field '{Printable(field, 60)}' has the wrong type."
                : field is null ? "The body is not a valid JSON object." : $"The body is not a valid JSON object (it breaks at '{Printable(field, 60)}').";
            return (null, detail, 400);
        }
    }

    /// <summary>Text safe to echo back in a problem: control characters dropped, cut to a length.</summary>
    public static string Printable(string text, int max)
    {
        var clean = new string(text.Where(c => !char.IsControl(c)).Take(max).ToArray());
        return text.Length > max ? clean + "…" : clean;
    }
}

/// <summary>Turns a create body into a job order, or says what is wrong with it (every field checked).</summary>
public static class VideoValidation
{
    public static (VideoOrder? Order, List<string> Errors) ToOrder(CreateVideoBody b)
    {
        var errors = new List<string>();
        var topic = Text(b.Topic, "topic", 1, 200, errors, required: true, multiline: false);
        var text = Text(b.Text, "text", 1, 10_000, errors, required: false, multiline: true);
        List<SceneOrder>? scenes = null;
        if (b.Scenes is { } list)
        {
            if (list.Count is 0 or > 30) errors.Add("scenes: give 1 to 30 scenes, or leave the field out.");
            scenes = [];
            for (var i = 0; i < Math.Min(list.Count, 30); i++)
            {
                var s = list[i];
                if (s is null) { errors.Add($"scenes[{i}]: a scene must be an object."); continue; }
                var sceneText = Text(s.Text, $"scenes[{i}].text", 1, 1000, errors, required: true, multiline: true);
                var keywords = s.Keywords?.Select((k, j) => Text(k, $"scenes[{i}].keywords[{j}]", 1, 40, errors, true, false) ?? "").ToList();
                if (keywords is { Count: > 10 }) errors.Add($"scenes[{i}].keywords: at most 10.");
                var visual = Text(s.Visual, $"scenes[{i}].visual", 1, 300, errors, required: false, multiline: false);
                if (s.Duration is { } d && (!double.IsFinite(d) || d is < 1 or > 60)) errors.Add($"scenes[{i}].duration: between 1 and 60 seconds.");
                scenes.Add(new SceneOrder(sceneText ?? "", keywords, visual, s.Duration));
            }
        }
        if (text is not null && scenes is not null) errors.Add("Give either text or scenes, not both.");
        var language = Word(b.Language, "language", 40, errors, allowUpper: true);
        // A code or a name ("ar", "Arabic"): stored as the code; an unknown one names the nearest matches.
        if (language is not null)
        {
            if (ViraLoop.Media.Languages.TryGet(language, out var known)) language = known.Code;
            else
            {
                var near = ViraLoop.Media.Languages.NearMatches(language, 5);
                errors.Add($"language: unknown '{language}'" + (near.Count > 0 ? $"; did you mean {string.Join(", ", near)}?" : "; use a code such as en, es, ar, hi or zh."));
            }
        }
        if (b.DurationSeconds is { } duration && (!double.IsFinite(duration) || duration is < 5 or > 180))
            errors.Add("durationSeconds: between 5 and 180.");
        var style = Word(b.Style, "style", 32, errors);
        var palette = Word(b.Palette, "palette", 32, errors);
        var music = Word(b.Music, "music", 32, errors);
        var hook = Word(b.Hook, "hook", 32, errors);
        var priority = Word(b.Priority, "priority", 16, errors);
        var backend = Word(b.VisualBackend, "visualBackend", 32, errors);
        var pacing = Gene(b.Pacing, "pacing", CreativeGenes.Pacing, errors);
        var captions = Gene(b.Captions, "captions", CreativeGenes.Caption, errors);
        var voice = Gene(b.Voice, "voice", CreativeGenes.Voice, errors);
        var thumbnail = Gene(b.Thumbnail, "thumbnail", CreativeGenes.Thumbnail, errors);
        var titleTemplate = Gene(b.TitleTemplate, "titleTemplate", CreativeGenes.Title, errors);
        if (b.Genome is { } genome)
        {
            // Gene names and values are name-like words; then each must be a known gene, a value it allows, and agree with
            // the same gene given as a field.
            if (genome.Count is 0 or > 9) errors.Add($"genome: give 1 to 9 genes ({string.Join(", ", CreativeGenes.Names)}), or leave the field out.");
            else if (genome.All(g => Word(g.Key, $"genome key '{BodyReader.Printable(g.Key, 20)}'", 32, errors) is not null
                && Word(g.Value, $"genome.{BodyReader.Printable(g.Key, 20)}", 32, errors) is not null))
            {
                errors.AddRange(CreativeGenes.Problems(genome, CreativeGenes.Given(hook, pacing, captions, style, palette, music, voice, thumbnail, titleTemplate)));
            }
        }
        if (errors.Count > 0) return (null, errors);
        var order = new VideoOrder
        {
            Topic = topic!,
            Text = text,
            Scenes = scenes,
            Language = language ?? "en",
            DurationSeconds = b.DurationSeconds ?? 30,
            Style = style ?? "auto",
            Palette = palette,
            Mood = music ?? "upbeat",
            Hook = hook,
            Preview = b.Preview ?? false,
            Seed = b.Seed,
            Priority = priority,
            RequireApproval = b.RequireApproval ?? false,
            VisualBackend = backend,
            Pacing = pacing,
            Captions = captions,
            Voice = voice,
            Thumbnail = thumbnail,
            TitleTemplate = titleTemplate,
        };
        if (b.Genome is { Count: > 0 } genes)
            order = VideoOrder.From(CreativeGenes.Apply(order.ToRequest(), genes)) with { Priority = priority, RequireApproval = order.RequireApproval, VisualBackend = backend };
        return (order, errors);
    }

    /// <summary>Free text: trimmed, within lengths, and no control characters (newlines and tabs only where text may span lines) or direction overrides.</summary>
    public static string? Text(string? value, string field, int min, int max, List<string> errors, bool required, bool multiline)
    {
        if (value is null)
        {
            if (required) errors.Add($"{field}: required.");
            return null;
        }
        var trimmed = value.Trim();
        if (trimmed.Length < min) { errors.Add(required ? $"{field}: required, and not blank." : $"{field}: blank; leave it out instead."); return null; }
        if (trimmed.Length > max) { errors.Add($"{field}: at most {max:N0} characters (got {trimmed.Length:N0})."); return null; }
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (c is '\n' or '\r' or '\t' && multiline) continue;
            if (char.IsHighSurrogate(c) && i + 1 < trimmed.Length && char.IsLowSurrogate(trimmed[i + 1])) { i++; continue; }
            if (char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' || char.IsSurrogate(c))
            {
                errors.Add($"{field}: contains a control, direction-override or broken character (U+{(int)c:X4}); remove it.");
                return null;
            }
        }
        return trimmed;
    }

    /// <summary>A gene's field (pacing, captions…): a name-like word that is one of the gene's values.</summary>
    private static string? Gene(string? value, string field, string gene, List<string> errors)
    {
        var v = Word(value, field, 32, errors);
        if (v is null) return null;
        var known = CreativeGenes.ValuesOf(gene)!;
        if (known.Contains(v)) return v;
        errors.Add($"{field}: unknown '{v}'; known: {string.Join(", ", known)}.");
        return null;
    }

    /// <summary>A name-like option: letters, digits and dashes.</summary>
    private static string? Word(string? value, string field, int max, List<string> errors, bool allowUpper = false)
    {
        if (value is null) return null;
        var v = value.Trim();
        if (v.Length == 0 || v.Length > max || !v.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-' || (allowUpper && (char.IsAsciiLetterUpper(c) || c == '_'))))
        {
            errors.Add($"{field}: 1–{max} letters, digits or dashes (got '{BodyReader.Printable(v, 40)}').");
            return null;
        }
        return v;
    }
}
