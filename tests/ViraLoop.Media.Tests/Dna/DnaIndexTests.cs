using System.Diagnostics;
using ViraLoop.Media.Dna;
using Xunit.Abstractions;

namespace ViraLoop.Media.Tests.Dna;

public sealed class DnaIndexTests(ITestOutputHelper output)
{
    private const int Dim = VideoDna.Dimension;

    [Fact]
    public void Recall_at_10_against_exact_search_is_at_least_0_95_on_20k_clustered_vectors()
    {
        var data = new ClusteredVectors(Dim, clusters: 200, seed: 3);
        var points = data.Sample(20_000, seed: 4);
        var queries = data.Sample(200, seed: 5);
        using var index = new DnaIndex(Dim, m: 10, efConstruction: 40, efSearch: 64);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < points.Length; i++) index.Add($"v{i}", points[i]);
        var build = sw.Elapsed;
        sw.Restart();
        double hits = 0;
        foreach (var q in queries)
        {
            var exact = index.ExactSearch(q, 10).Select(m => m.Id).ToHashSet();
            hits += index.Search(q, 10).Count(m => exact.Contains(m.Id));
        }
        double recall = hits / (queries.Length * 10);
        output.WriteLine($"build {build.TotalSeconds:F2} s, 200 queries + exact {sw.Elapsed.TotalSeconds:F2} s, recall@10 {recall:F4}");
        Assert.True(recall >= 0.95, $"recall@10 {recall:F4}");
    }

    [Fact]
    public void A_vector_in_the_index_is_its_own_nearest_neighbour_with_similarity_1()
    {
        var points = new ClusteredVectors(Dim, 20, 1).Sample(2000, 2);
        using var index = Build(points);
        for (int i = 0; i < points.Length; i += 97)
        {
            var top = index.Search(points[i], 1).Single();
            Assert.Equal($"v{i}", top.Id);
            Assert.Equal(1f, top.Similarity, 4);
        }
    }

    [Fact]
    public void Save_and_load_give_the_same_answers_and_keep_removals()
    {
        var data = new ClusteredVectors(Dim, 30, 6);
        var points = data.Sample(3000, 7);
        using var index = Build(points);
        Assert.True(index.Remove("v5"));
        var path = Path.Combine(Directory.CreateTempSubdirectory("vl-dna-").FullName, "dna.idx");
        try
        {
            index.Save(path);
            index.Save(path); // over an existing file
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
            using var loaded = DnaIndex.Load(path);
            Assert.Equal(index.Count, loaded.Count);
            Assert.False(loaded.Contains("v5"));
            foreach (var q in data.Sample(50, 8))
                Assert.Equal(index.Search(q, 10), loaded.Search(q, 10));
            // Both grow alike after the load.
            var more = data.Sample(100, 9);
            for (int i = 0; i < more.Length; i++) loaded.Add($"w{i}", more[i]);
            Assert.Equal("w3", loaded.Search(more[3], 1)[0].Id);
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, true); }
    }

    [Fact]
    public void A_removed_video_is_never_answered_and_re_adding_replaces_it()
    {
        var points = new ClusteredVectors(Dim, 10, 11).Sample(1000, 12);
        using var index = Build(points);
        Assert.True(index.Remove("v42"));
        Assert.False(index.Remove("v42"));
        Assert.Equal(999, index.Count);
        Assert.DoesNotContain(index.Search(points[42], 50), m => m.Id == "v42");
        Assert.DoesNotContain(index.ExactSearch(points[42], 50), m => m.Id == "v42");
        Assert.Null(index.NearDuplicate(points[42], 0.9999f));
        index.Add("v42", points[42]);
        Assert.Equal("v42", index.Search(points[42], 1)[0].Id);
        index.Add("v42", points[7]); // replaced: now it answers for another vector
        Assert.Equal(1000, index.Count);
        Assert.Contains(index.Search(points[7], 2), m => m.Id == "v42");
        Assert.DoesNotContain(index.Search(points[42], 10), m => m.Id == "v42" && m.Similarity > 0.9999f);
    }

    [Fact]
    public void NearDuplicate_answers_the_closest_video_above_the_threshold_and_can_leave_the_video_itself_out()
    {
        var points = new ClusteredVectors(Dim, 10, 13).Sample(500, 14);
        using var index = Build(points);
        var near = index.NearDuplicate(points[3]);
        Assert.Equal("v3", near?.Id);
        var other = index.NearDuplicate(points[3], threshold: 0.0f, excludeId: "v3");
        Assert.NotNull(other);
        Assert.NotEqual("v3", other.Value.Id);
        var far = new float[Dim];
        far[0] = 1; // unlike any clustered point
        Assert.Null(index.NearDuplicate(far));
        Assert.Throws<ArgumentException>(() => index.Search(new float[Dim], 1));
        Assert.Throws<ArgumentException>(() => index.Add("x", new float[3]));
    }

    [Fact]
    public async Task Concurrent_queries_with_adds_and_removes_stay_consistent()
    {
        var data = new ClusteredVectors(Dim, 20, 15);
        var points = data.Sample(4000, 16);
        using var index = Build(points[..2000]);
        using var stop = new CancellationTokenSource();
        using var started = new CountdownEvent(3);
        var readers = Enumerable.Range(0, 3).Select(r => Task.Factory.StartNew(() =>
        {
            int n = 0;
            started.Signal();
            // At least 200 queries each, however the threads are scheduled on a busy machine.
            while (!stop.IsCancellationRequested || n < 200)
            {
                int i = (n++ * 7 + r) % 2000;
                var top = index.Search(points[i], 5);
                if (top.Count == 0) throw new InvalidOperationException("no answer");
                if (i % 2 == 1 && top[0].Id != $"v{i}" && top[0].Similarity < 0.9999f) throw new InvalidOperationException($"v{i} not found");
            }
            return n;
        }, TaskCreationOptions.LongRunning)).ToArray();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        for (int i = 2000; i < 4000; i++)
        {
            index.Add($"v{i}", points[i]);
            if (i % 10 == 0) index.Remove($"v{i - 2000}");
        }
        stop.Cancel();
        var counts = await Task.WhenAll(readers);
        Assert.All(counts, c => Assert.True(c > 0));
        Assert.Equal(4000 - 200, index.Count);
    }

    private static DnaIndex Build(float[][] points)
    {
        var index = new DnaIndex(Dim, m: 12, efConstruction: 80, efSearch: 48);
        for (int i = 0; i < points.Length; i++) index.Add($"v{i}", points[i]);
        return index;
    }
}
