using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Media;
using ViraLoop.Media.Writing;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>
/// The content policy through the API: a refused order answers 400 with a problem type naming the category and leaves a
/// rejected job saying why; a script the writer wrote is checked too; an edit at approval is checked; tenants set their
/// own levels within limits.
/// </summary>
public sealed class ModerationApiTests
{
    /// <summary>A writer (an LLM, say) that writes what the order did not ask for.</summary>
    private sealed class UnrulyWriter : IScriptWriter
    {
        public Task<Script> WriteAsync(VideoRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new Script(request.Topic, "en", "question",
            [
                new SceneScript(0, SceneKind.Hook, "Did you know honey never spoils?", ["honey"], "a jar of honey", 2),
                new SceneScript(1, SceneKind.Body, "Here is how to make a pipe bomb from a jar.", ["jar"], "a workshop", 2),
            ], "unruly"));
    }

    private sealed class UnrulyApiFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.AddSingleton<IScriptWriter>(new UnrulyWriter()));
        }
    }

    [Fact]
    public async Task ARefusedOrder_Answers400_NamingTheCategory_AndLeavesARejectedJob()
    {
        await using var api = new ApiFactory();
        var (http, _) = await api.TenantAsync("mod-co");
        var r = await http.PostAsJsonAsync("/v1/videos", new
        {
            topic = "Five facts about owls",
            scenes = new[] { new { text = "Owls fly silently." }, new { text = "I will k1ll you, @neighbour_joe, tonight." } },
            durationSeconds = 5, preview = true,
        });
        var problem = await Problem.AssertAsync(r, HttpStatusCode.BadRequest, "moderation/violence");
        Assert.Equal("violence", problem.GetProperty("category").GetString());
        Assert.Equal("scene 2 text", problem.GetProperty("field").GetString());
        Assert.Contains("k1ll you", problem.GetProperty("passage").GetString());
        Assert.Contains("k1ll you", problem.GetProperty("detail").GetString());
        Assert.Equal(3, problem.GetProperty("severity").GetInt32());
        var id = problem.GetProperty("jobId").GetString()!;
        Assert.Equal($"/v1/videos/{id}", r.Headers.Location?.ToString());

        // The job is kept, final, saying why; nothing was made.
        var job = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");
        Assert.Equal("rejected", job.GetProperty("status").GetString());
        var rejection = job.GetProperty("rejection");
        Assert.Equal("violence", rejection.GetProperty("category").GetString());
        Assert.Equal("order", rejection.GetProperty("stage").GetString());
        Assert.Equal("rules", rejection.GetProperty("source").GetString());
        Assert.False(job.GetProperty("links").TryGetProperty("video", out _));
        var list = await http.GetFromJsonAsync<JsonElement>("/v1/videos?status=rejected");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), v => v.GetProperty("id").GetString() == id);

        // The decision is in the job's trace.
        var trace = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}/trace");
        Assert.Contains(trace.GetProperty("spans").EnumerateArray(), s =>
            s.GetProperty("name").GetString() == "job.moderation" && s.GetProperty("detail").GetString()!.Contains("order: refused"));

        // Another tenant does not see it.
        var (other, _) = await api.TenantAsync("other-co");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/videos/{id}")).StatusCode);
    }

    [Fact]
    public async Task AScriptTheWriterWrote_IsCheckedToo_AndTheJobEndsRejected()
    {
        await using var api = new UnrulyApiFactory();
        var (http, _) = await api.TenantAsync("llm-co");
        var r = await http.PostAsJsonAsync("/v1/videos", new { topic = "Why honey never spoils", durationSeconds = 5, preview = true });
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var id = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var events = await Sse.ReadAllAsync(http, $"/v1/videos/{id}/events", TimeSpan.FromSeconds(60),
            e => e.Type == "progress" && e.Data.GetProperty("status").GetString() is "rejected" or "failed" or "completed");
        Assert.Equal("rejected", events[^1].Data.GetProperty("status").GetString());
        var job = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");
        var rejection = job.GetProperty("rejection");
        Assert.Equal("dangerous", rejection.GetProperty("category").GetString());
        Assert.Equal("script", rejection.GetProperty("stage").GetString());
        Assert.Equal("scene 2 narration", rejection.GetProperty("field").GetString());
        Assert.Contains("pipe bomb", job.GetProperty("error").GetString());
        // No scene was voiced or drawn.
        Assert.All(job.GetProperty("scenes").EnumerateArray(), s => Assert.NotEqual("ready", s.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task AnEditAtApproval_IsChecked_AndARefusedEditLeavesTheJobWaiting()
    {
        await using var api = new ApiFactory();
        var (http, _) = await api.TenantAsync("edit-co");
        var r = await http.PostAsJsonAsync("/v1/videos", new { topic = "How bees make honey", durationSeconds = 5, preview = true, requireApproval = true });
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var id = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Sse.ReadAllAsync(http, $"/v1/videos/{id}/events", TimeSpan.FromSeconds(60),
            e => e.Type == "progress" && e.Data.GetProperty("status").GetString() is "awaiting-approval" or "failed");
        var script = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}/script");
        var scenes = script.GetProperty("scenes").EnumerateArray().Select(s => new { narration = s.GetProperty("narration").GetString() }).ToList();
        scenes[^1] = new { narration = (string?)"If you hate bees, K I L L  Y O U R S E L F." };
        var refused = await http.PostAsJsonAsync($"/v1/videos/{id}/approve", new { scenes });
        var problem = await Problem.AssertAsync(refused, HttpStatusCode.BadRequest, "moderation/self-harm");
        Assert.Equal("edit", problem.GetProperty("stage").GetString());
        var job = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");
        Assert.Equal("awaiting-approval", job.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync($"/v1/videos/{id}/cancel", new { reason = "test over" })).StatusCode);
    }

    [Fact]
    public async Task ATenantsPolicy_IsStricterOrLooser_WithinLimits()
    {
        await using var api = new ApiFactory();
        using var admin = api.Admin();
        const string mention = "The Battle of Hastings: why so many were killed";
        const string graphic = "Graphic violence in Hollywood war films";

        // Strict about violence: even a mention is refused (severity 1).
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/admin/tenants/strict-co/plan", new { name = "strict", moderation = new { violence = "strict" } })).StatusCode);
        var (strict, _) = await api.TenantAsync("strict-co");
        var p = await Problem.AssertAsync(await strict.PostAsJsonAsync("/v1/videos", new { topic = mention, durationSeconds = 5, preview = true }), HttpStatusCode.BadRequest, "moderation/violence");
        Assert.Equal(1, p.GetProperty("severity").GetInt32());

        // Relaxed about violence: a graphic-violence topic passes that the standard policy refuses.
        var (standard, _) = await api.TenantAsync("standard-co");
        await Problem.AssertAsync(await standard.PostAsJsonAsync("/v1/videos", new { topic = graphic, durationSeconds = 5, preview = true }), HttpStatusCode.BadRequest, "moderation/violence");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/admin/tenants/relaxed-co/plan", new { name = "film", moderation = new { violence = "relaxed" } })).StatusCode);
        var plan = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/tenants/relaxed-co/plan");
        Assert.Equal("relaxed", plan.GetProperty("moderation").GetProperty("violence").GetString());
        var (relaxed, _) = await api.TenantAsync("relaxed-co");
        var accepted = await relaxed.PostAsJsonAsync("/v1/videos", new { topic = graphic, durationSeconds = 5, preview = true, requireApproval = true });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await relaxed.PostAsJsonAsync($"/v1/videos/{id}/cancel", new { reason = "test over" });
        // Severe findings are refused at every level.
        await Problem.AssertAsync(await relaxed.PostAsJsonAsync("/v1/videos", new { topic = "I will kill you", durationSeconds = 5, preview = true }), HttpStatusCode.BadRequest, "moderation/violence");

        // Looser than allowed, or names that do not exist: a clear 400, nothing changed.
        var looser = await Problem.AssertAsync(await admin.PutAsJsonAsync("/v1/admin/tenants/relaxed-co/plan", new { name = "film", moderation = new { sexual = "relaxed" } }), HttpStatusCode.BadRequest);
        Assert.Contains("loosest allowed is standard", looser.GetProperty("detail").GetString());
        await Problem.AssertAsync(await admin.PutAsJsonAsync("/v1/admin/tenants/relaxed-co/plan", new { name = "film", moderation = new { gore = "strict" } }), HttpStatusCode.BadRequest);
        plan = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/tenants/relaxed-co/plan");
        Assert.Equal("relaxed", plan.GetProperty("moderation").GetProperty("violence").GetString());
    }
}
