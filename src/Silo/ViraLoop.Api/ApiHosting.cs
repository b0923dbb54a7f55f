using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ViraLoop.Api.Admin;
using ViraLoop.Api.Auth;
using ViraLoop.Api.Live;
using ViraLoop.Api.Ops;
using ViraLoop.Api.Videos;
using ViraLoop.Api.Experiments;

namespace ViraLoop.Api;

/// <summary>The public API every silo serves: REST under <c>/v1</c>, the SignalR hub at <c>/hubs/jobs</c>, the OpenAPI document.</summary>
public static class ApiHosting
{
    public static IServiceCollection AddViraLoopApi(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeys>();
        services.AddSingleton<RateLimits>();
        services.AddSingleton<JobEvents>();
        services.AddAuthentication(Principals.Scheme).AddScheme<AuthenticationSchemeOptions, ViraLoopAuthHandler>(Principals.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Principals.TenantPolicy, p => p.AddAuthenticationSchemes(Principals.Scheme).RequireClaim(Principals.TenantClaim))
            .AddPolicy(Principals.AdminPolicy, p => p.AddAuthenticationSchemes(Principals.Scheme).RequireRole(Principals.AdminRole));
        services.AddSignalR(o => o.EnableDetailedErrors = false);
        services.AddOpenApi("v1");
        services.AddProblemDetails();
        return services;
    }

    public static IEndpointRouteBuilder MapViraLoopApi(this WebApplication app)
    {
        // Whatever escapes an endpoint is a 500 problem with a trace id, never a stack trace.
        app.UseExceptionHandler(error => error.Run(async http =>
        {
            var e = http.Features.Get<IExceptionHandlerFeature>()?.Error;
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ViraLoop.Api").LogError(e, "Unhandled error on {Path}", http.Request.Path);
            await Problems.Of(StatusCodes.Status500InternalServerError, "internal", "Something went wrong on our side.",
                $"The request could not be completed; it has been logged as {http.TraceIdentifier}. Try again in a moment.").ExecuteAsync(http);
        }));
        app.UseStatusCodePages(async status =>
        {
            var http = status.HttpContext;
            if (http.Response.HasStarted || http.Response.ContentLength > 0 || http.Response.ContentType is not null) return;
            var code = http.Response.StatusCode;
            await Problems.Of(code, code == 404 ? "not-found" : code == 405 ? "method-not-allowed" : "http-" + code,
                code == 404 ? "Not found." : code == 405 ? "Method not allowed." : "The request could not be served.",
                code == 404 ? "There is nothing at this address." : code == 405 ? $"{http.Request.Method} is not allowed here." : $"HTTP {code}.").ExecuteAsync(http);
        });
        // Routing inside the handlers above, so that even a routing failure is a problem document.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapVideoEndpoints();
        app.MapAdminEndpoints();
        app.MapExperimentEndpoints();
        app.MapHub<JobsHub>("/hubs/jobs");
        app.MapEditor();
        app.MapOpsEndpoints();
        app.MapOpsPage();
        return app;
    }
}
