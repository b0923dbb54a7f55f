using Microsoft.Data.Sqlite;
using Orleans;
using Orleans.Runtime;
using ViraLoop.Providers.Sqlite;
using Xunit;

namespace ViraLoop.Providers.Tests;

public sealed class SqliteReminderTableTests : IDisposable
{
    private readonly string _directory = TestSupport.TempDirectory();

    private SqliteReminderTable NewTable(string serviceId = "svc")
        => new(new SqliteReminderOptions { DatabasePath = Path.Combine(_directory, "reminders.db") }, serviceId);

    private static ReminderEntry Entry(GrainId grain, string name, int periodSeconds = 60) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        Period = TimeSpan.FromSeconds(periodSeconds),
    };

    [Fact]
    public async Task Upsert_read_and_etag_checks()
    {
        var table = NewTable();
        await table.StartAsync();
        var grain = GrainId.Create("test-grain", "r1");

        Assert.Null(await table.ReadRow(grain, "tick"));
        var etag1 = await table.UpsertRow(Entry(grain, "tick"));
        Assert.False(string.IsNullOrEmpty(etag1));

        var row = await table.ReadRow(grain, "tick");
        Assert.NotNull(row);
        Assert.Equal(grain, row.GrainId);
        Assert.Equal(etag1, row.ETag);
        Assert.Equal(TimeSpan.FromSeconds(60), row.Period);
        Assert.Equal(new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc), row.StartAt);
        Assert.Equal(DateTimeKind.Utc, row.StartAt.Kind);

        var etag2 = await table.UpsertRow(Entry(grain, "tick", periodSeconds: 120));
        Assert.NotEqual(etag1, etag2);
        Assert.Equal(TimeSpan.FromSeconds(120), (await table.ReadRow(grain, "tick"))!.Period);

        await table.UpsertRow(Entry(grain, "tock"));
        Assert.Equal(2, (await table.ReadRows(grain)).Reminders.Count);

        Assert.False(await table.RemoveRow(grain, "tick", etag1!));   // stale etag
        Assert.False(await table.RemoveRow(grain, "tick", "garbage"));
        Assert.NotNull(await table.ReadRow(grain, "tick"));
        Assert.True(await table.RemoveRow(grain, "tick", etag2!));
        Assert.Null(await table.ReadRow(grain, "tick"));
        Assert.False(await table.RemoveRow(grain, "tick", etag2!));   // already gone

        // Rows are scoped by service id.
        Assert.Empty((await NewTable("other-service").ReadRows(grain)).Reminders);

        await table.TestOnlyClearTable();
        Assert.Empty((await table.ReadRows(grain)).Reminders);
    }

    [Fact]
    public async Task Range_reads_follow_the_ring_including_wrap_around()
    {
        var table = NewTable();
        await table.TestOnlyClearTable();
        var grains = Enumerable.Range(0, 64).Select(i => GrainId.Create("test-grain", $"ring-{i}")).ToList();
        foreach (var grain in grains)
        {
            await table.UpsertRow(Entry(grain, "r"));
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).OrderBy(h => h).ToList();
        var low = hashes[10];
        var high = hashes[50];

        async Task<HashSet<GrainId>> Read(uint begin, uint end)
            => (await table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId).ToHashSet();

        HashSet<GrainId> Expected(Func<uint, bool> inRange)
            => grains.Where(g => inRange(g.GetUniformHashCode())).ToHashSet();

        // begin < end: (begin, end]
        var inner = await Read(low, high);
        Assert.Equal(Expected(h => h > low && h <= high), inner);
        Assert.Equal(40, inner.Count);

        // begin > end: wraps past uint.MaxValue
        var wrapped = await Read(high, low);
        Assert.Equal(Expected(h => h > high || h <= low), wrapped);
        Assert.Equal(24, wrapped.Count);

        // the two ranges partition the ring
        Assert.Empty(inner.Intersect(wrapped));
        Assert.Equal(64, inner.Count + wrapped.Count);

        // begin == end: the whole ring
        Assert.Equal(64, (await Read(low, low)).Count);

        // hashes above 2^31 are ordered as unsigned values
        var upperHalf = await Read(0x8000_0000u, uint.MaxValue);
        Assert.Equal(Expected(h => h > 0x8000_0000u), upperHalf);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
