using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ViraLoop.Api;

/// <summary>The editor page at <c>/editor/</c>: its files are embedded in this assembly (with @microsoft/signalr from npm).</summary>
public static class EditorPage
{
    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["editor.css"] = "text/css; charset=utf-8",
        ["editor.js"] = "text/javascript; charset=utf-8",
        ["signalr.min.js"] = "text/javascript; charset=utf-8",
    };

    private static readonly Dictionary<string, byte[]> Content = Files.Keys.ToDictionary(f => f, f => Load("editor/" + f), StringComparer.Ordinal);

    /// <summary>An embedded page file (logical name <c>editor/…</c> or <c>ops/…</c>).</summary>
    internal static byte[] Load(string name)
    {
        using var stream = typeof(EditorPage).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The page file {name} is not embedded; rebuild with npm installed (scripts/deps.sh).");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static IEndpointRouteBuilder MapEditor(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Redirect("/editor/")).ExcludeFromDescription();
        app.MapGet("/editor/", () => Results.Bytes(Content["index.html"], Files["index.html"])).ExcludeFromDescription();
        app.MapGet("/editor/{file}", (string file) => Content.TryGetValue(file, out var bytes)
            ? Results.Bytes(bytes, Files[file])
            : Problems.NotFound("file")).ExcludeFromDescription();
        return app;
    }
}
