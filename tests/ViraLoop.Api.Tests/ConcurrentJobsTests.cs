using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>A tenant's unfinished jobs are limited by its plan: one more is refused with 403 naming the quota until one ends.</summary>
public sealed class ConcurrentJobsTests
{
    [Fact]
    public async Task UnfinishedJobs_AreLimited_AndAnEndedJobFreesItsPlace()
    {
        await using var api = new ApiFactory();
        using var admin = api.Admin();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/admin/tenants/busy-co/plan", new { name = "one-at-a-time", concurrentJobs = 1 })).StatusCode);
        var (http, _) = await api.TenantAsync("busy-co");
        object Order(string topic) => new { topic, durationSeconds = 5, preview = true, requireApproval = true };

        var first = await http.PostAsJsonAsync("/v1/videos", Order("Why owls hoot"));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var refused = await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/videos", Order("Why cats purr")), HttpStatusCode.Forbidden, "quota-exceeded");
        Assert.Equal("concurrent-jobs", refused.GetProperty("quota").GetString());
        Assert.Contains("1 unfinished videos at once", refused.GetProperty("detail").GetString());

        // Ending the first (cancelled here) frees the place.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync($"/v1/videos/{id}/cancel", new { reason = "making room" })).StatusCode);
        var second = await http.PostAsJsonAsync("/v1/videos", Order("Why cats purr"));
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await http.PostAsJsonAsync($"/v1/videos/{secondId}/cancel", new { reason = "test over" });

        await Problem.AssertAsync(await admin.PutAsJsonAsync("/v1/admin/tenants/busy-co/plan", new { name = "none", concurrentJobs = 0 }), HttpStatusCode.BadRequest);
    }
}
