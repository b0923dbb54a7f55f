using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ViraLoop.Api.Ops;

/// <summary>
/// ViraLoop's cluster pages at <c>/ops/</c> (silos, GPU workers, jobs, stream queues, a job's trace), beside the Orleans
/// dashboard at <c>/dashboard/</c> in the same navigation. The page is public; its data needs the admin key.
/// </summary>
public static class OpsPage
{
    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["ops.css"] = "text/css; charset=utf-8",
        ["ops.js"] = "text/javascript; charset=utf-8",
    };

    private static readonly Dictionary<string, byte[]> Content = Files.Keys.ToDictionary(f => f, f => EditorPage.Load("ops/" + f), StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapOpsPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ops/", () => Results.Bytes(Content["index.html"], Files["index.html"])).ExcludeFromDescription();
        app.MapGet("/ops/{file}", (string file) => Content.TryGetValue(file, out var bytes)
            ? Results.Bytes(bytes, Files[file])
            : Problems.NotFound("file")).ExcludeFromDescription();
        return app;
    }
}
