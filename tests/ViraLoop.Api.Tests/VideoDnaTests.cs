using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Grains;
using ViraLoop.Media.Dna;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Api.Tests;

/// <summary>
/// Video DNA in the product (embedded silo, real 5 s previews): a video made again from the same request is flagged as a
/// near duplicate of the first (view and manifest) and still completes; a different video is not; <c>/similar</c> ranks
/// them, answers only for the caller's own videos, and 409s before a video is finished.
/// </summary>
public sealed class VideoDnaTests(ApiFactory api, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    private static readonly object SeaBody = new
    {
        topic = "Why the sea is salty",
        text = "Rivers wash salt out of rocks. They carry it to the sea. The sun takes the water and leaves the salt behind.",
        durationSeconds = 5, preview = true, seed = 7, style = "gradient", palette = "ocean", music = "calm",
    };

    private static readonly object VolcanoBody = new
    {
        topic = "How volcanoes erupt",
        text = "Deep under the ground, rock melts into magma. Gas pushes it up through cracks. Then the mountain explodes with fire and ash.",
        durationSeconds = 5, preview = true, seed = 42, style = "particles", palette = "sunset", music = "dramatic",
    };

    [Fact]
    public async Task ARepeatedVideo_IsFlaggedAsNearDuplicate_AndSimilarRanksItsOriginalFirst_WithinItsTenantOnly()
    {
        var (acme, _) = await api.TenantAsync("dna-acme");
        var (globex, _) = await api.TenantAsync("dna-globex");

        // A and C for acme, and globex's copy of A (the same request in another tenant), all at once; B (A again) after A.
        var a = await SubmitAsync(acme, SeaBody);
        var c = await SubmitAsync(acme, VolcanoBody);
        var g = await SubmitAsync(globex, SeaBody);
        var viewA = await CompletedAsync(acme, a);
        var b = await SubmitAsync(acme, SeaBody);
        Assert.NotEqual(a, b);

        // Before B is finished it has no DNA: 409, saying why.
        var early = await Problem.AssertAsync(await acme.GetAsync($"/v1/videos/{b}/similar"), HttpStatusCode.Conflict, "conflict");
        Assert.Contains("no DNA yet", early.GetProperty("detail").GetString());

        var viewC = await CompletedAsync(acme, c);
        var viewG = await CompletedAsync(globex, g);
        var viewB = await CompletedAsync(acme, b);

        // B carries the warning naming A; A (the first), C (another video) and globex's copy (another tenant) carry none.
        var warning = viewB.GetProperty("nearDuplicate");
        Assert.Equal(JsonValueKind.Object, warning.ValueKind);
        Assert.Equal(a, warning.GetProperty("id").GetString());
        Assert.True(warning.GetProperty("similarity").GetDouble() >= 0.90, $"A–B similarity {warning.GetProperty("similarity")}");
        Assert.Equal($"/v1/videos/{a}", warning.GetProperty("link").GetString());
        foreach (var (name, view) in new[] { ("A", viewA), ("C", viewC), ("globex's copy of A", viewG) })
            Assert.True(view.GetProperty("nearDuplicate").ValueKind == JsonValueKind.Null, $"{name} was flagged: {view.GetProperty("nearDuplicate")}");

        // The manifest says it too (its own field and a note); A's does not.
        var manifestB = await acme.GetFromJsonAsync<JsonElement>($"/v1/videos/{b}/manifest.json");
        Assert.Equal(a, manifestB.GetProperty("nearDuplicate").GetProperty("videoId").GetString());
        Assert.Equal(0.90, manifestB.GetProperty("nearDuplicate").GetProperty("threshold").GetDouble(), 3);
        Assert.Contains(manifestB.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("near duplicate: video DNA") && n.GetString()!.Contains(a));
        Assert.Equal(JsonValueKind.Null, (await acme.GetFromJsonAsync<JsonElement>($"/v1/videos/{a}/manifest.json")).GetProperty("nearDuplicate").ValueKind);

        // Similar to B: A first, then C less similar; B itself never; the blocks say what is alike.
        var similar = await acme.GetFromJsonAsync<JsonElement>($"/v1/videos/{b}/similar");
        Assert.Equal(10, similar.GetProperty("k").GetInt32());
        var items = similar.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([a, c], items.Select(i => i.GetProperty("id").GetString()));
        var (ab, bc) = (items[0].GetProperty("similarity").GetDouble(), items[1].GetProperty("similarity").GetDouble());
        output.WriteLine($"A–B similarity {ab:0.0000}, B–C similarity {bc:0.0000}; B–C blocks: {items[1]}");
        Assert.True(ab >= 0.90 && bc < 0.90 && ab > bc, $"A–B {ab}, B–C {bc}");
        Assert.Equal(warning.GetProperty("similarity").GetDouble(), ab, 3);
        Assert.True(items[0].GetProperty("script").GetDouble() > items[1].GetProperty("script").GetDouble(), "the same narration scores higher on the script block");
        var one = await acme.GetFromJsonAsync<JsonElement>($"/v1/videos/{b}/similar?k=1");
        Assert.Equal([a], one.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        // Another tenant: B is "not found", and its own results never name acme's videos (its copy of A has no neighbours).
        await Problem.AssertAsync(await globex.GetAsync($"/v1/videos/{b}/similar"), HttpStatusCode.NotFound, "not-found");
        var theirs = await globex.GetFromJsonAsync<JsonElement>($"/v1/videos/{g}/similar?k=50");
        Assert.Empty(theirs.GetProperty("items").EnumerateArray());
        Assert.DoesNotContain(a, (await globex.GetStringAsync($"/v1/videos/{g}/similar")));

        // Bad k: 400 problem details, whoever asks.
        foreach (var k in new[] { "0", "51", "-1", "ten", "1.5" })
            await Problem.AssertAsync(await acme.GetAsync($"/v1/videos/{b}/similar?k={k}"), HttpStatusCode.BadRequest, "invalid-request");
        await Problem.AssertAsync(await acme.GetAsync($"/v1/videos/vaaaaaaaaaaaaaaaaaaaa/similar"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task TheIndexGrain_KeepsItsVectorsAcrossASiloRestart_AndAddIsIdempotent()
    {
        var database = Path.Combine(Directory.CreateTempSubdirectory("vl-dna-").FullName, "state.db");
        var random = new Random(5);
        var vectors = Enumerable.Range(0, 40).ToDictionary(i => $"v{i:D2}", _ => Enumerable.Range(0, VideoDna.Dimension).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());
        var query = vectors["v07"];
        var expected = vectors.Where(v => v.Key != "v07").OrderByDescending(v => VideoDna.Similarity(query, v.Value)).Take(5).Select(v => v.Key).ToList();
        var nearCopy = query.Select((x, i) => x + (i % 2 == 0 ? 0.01f : -0.01f)).ToArray();

        IReadOnlyList<DnaNeighbour> before;
        await using (var first = new SharedDatabaseApi(database))
        {
            var dna = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IVideoDnaGrain>("dna-restart");
            foreach (var (id, v) in vectors) await dna.Add(id, v);
            await dna.Add("v07", query); // again: no second entry
            Assert.Equal(40, await dna.Count());
            before = (await dna.FindSimilar("v07", 5))!;
            Assert.Equal(expected, before.Select(n => n.VideoId));
            await Assert.ThrowsAsync<ArgumentException>(() => dna.Add("v99", new float[3]));
        }
        SqliteConnection.ClearAllPools();

        await using var second = new SharedDatabaseApi(database);
        var again = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IVideoDnaGrain>("dna-restart");
        Assert.Equal(40, await again.Count());
        Assert.Equal(before, (await again.FindSimilar("v07", 5))!);
        var near = await again.NearDuplicate(nearCopy, excludeVideoId: "v99");
        Assert.Equal("v07", near?.VideoId);
        Assert.True(near!.Similarity > 0.99);
        Assert.Null(await again.NearDuplicate(nearCopy, excludeVideoId: "v07"));
        Assert.Null(await again.FindSimilar("v99", 5));
        Assert.Null(await second.Services.GetRequiredService<IGrainFactory>().GetGrain<IVideoDnaGrain>("dna-other").FindSimilar("v07", 5));
    }

    /// <summary>The API host on a given state database, so a second host reads what the first wrote.</summary>
    private sealed class SharedDatabaseApi(string database) : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ViraLoop:Database", database);
        }
    }

    private static async Task<string> SubmitAsync(HttpClient http, object body)
    {
        var r = await http.PostAsJsonAsync("/v1/videos", body);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Follows the video's live feed to its final event and gives its view, which must say completed.</summary>
    private static async Task<JsonElement> CompletedAsync(HttpClient http, string id)
    {
        static bool Final(JsonElement e) => e.GetProperty("status").GetString() is "completed" or "failed" or "cancelled" or "rejected";
        try { await Sse.ReadAllAsync(http, $"/v1/videos/{id}/events", TimeSpan.FromSeconds(150), e => Final(e.Data)); }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{id} did not finish in 150 s: {await http.GetStringAsync($"/v1/videos/{id}")} trace: {await http.GetStringAsync($"/v1/videos/{id}/trace")}");
        }
        var view = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");
        Assert.True(view.GetProperty("status").GetString() == "completed", $"{id}: {view}");
        return view;
    }
}
