using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using ViraLoop.Providers.Sqlite;
using Xunit;

namespace ViraLoop.Providers.Tests;

public sealed class SqliteGrainStorageTests : IDisposable
{
    private const string StateName = "counter";
    private readonly string _directory = TestSupport.TempDirectory();
    private readonly List<ServiceProvider> _providers = [];

    // A nested, not yet existing directory: the provider must create it.
    private string DatabasePath => Path.Combine(_directory, "nested", "grains.db");

    private IGrainStorage NewStorage(string name = "sqlite")
    {
        var services = TestSupport.SerializerServices();
        services.AddSqliteGrainStorage(name, o => o.DatabasePath = DatabasePath);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredKeyedService<IGrainStorage>(name);
    }

    private static GrainId Id(string key) => GrainId.Create("test-grain", key);

    [Fact]
    public async Task Read_of_missing_state_gives_default_without_etag()
    {
        var storage = NewStorage();
        var state = new GrainState<CounterState>(new CounterState { Value = 99 });

        await storage.ReadStateAsync(StateName, Id("missing"), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Equal(0, state.State.Value);
        Assert.True(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task Write_then_read_round_trips_state_and_etag()
    {
        var storage = NewStorage();
        var written = new GrainState<CounterState>(new CounterState { Value = 7, Note = "seven" });

        await storage.WriteStateAsync(StateName, Id("a"), written);
        Assert.True(written.RecordExists);
        Assert.False(string.IsNullOrEmpty(written.ETag));
        var firstETag = written.ETag;

        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync(StateName, Id("a"), read);
        Assert.True(read.RecordExists);
        Assert.Equal(firstETag, read.ETag);
        Assert.Equal(7, read.State.Value);
        Assert.Equal("seven", read.State.Note);

        read.State.Value = 8;
        await storage.WriteStateAsync(StateName, Id("a"), read);
        Assert.NotEqual(firstETag, read.ETag);

        // Another state name and another provider name are other rows.
        var other = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("other-state", Id("a"), other);
        Assert.False(other.RecordExists);
        var otherProvider = NewStorage("sqlite-2");
        await otherProvider.ReadStateAsync(StateName, Id("a"), other);
        Assert.False(other.RecordExists);
    }

    [Fact]
    public async Task Write_with_stale_etag_conflicts()
    {
        var storage = NewStorage();
        var first = new GrainState<CounterState>(new CounterState { Value = 1 });
        await storage.WriteStateAsync(StateName, Id("b"), first);
        var stale = new GrainState<CounterState>(new CounterState { Value = 2 }) { ETag = first.ETag, RecordExists = true };
        await storage.WriteStateAsync(StateName, Id("b"), first); // moves the stored ETag on

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Id("b"), stale));

        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync(StateName, Id("b"), read);
        Assert.Equal(1, read.State.Value);
        Assert.Equal(first.ETag, read.ETag);
    }

    [Fact]
    public async Task Write_with_null_etag_over_existing_record_conflicts()
    {
        var storage = NewStorage();
        await storage.WriteStateAsync(StateName, Id("c"), new GrainState<CounterState>(new CounterState { Value = 1 }));

        var blind = new GrainState<CounterState>(new CounterState { Value = 5 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Id("c"), blind));
    }

    [Fact]
    public async Task Write_with_etag_where_no_record_exists_conflicts()
    {
        var storage = NewStorage();
        var invented = new GrainState<CounterState>(new CounterState { Value = 5 }) { ETag = "not-a-stored-etag" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Id("d"), invented));
    }

    [Fact]
    public async Task Clear_then_read_gives_no_record_and_a_new_write_succeeds()
    {
        var storage = NewStorage();
        var state = new GrainState<CounterState>(new CounterState { Value = 3 });
        await storage.WriteStateAsync(StateName, Id("e"), state);

        await storage.ClearStateAsync(StateName, Id("e"), state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State.Value);

        var read = new GrainState<CounterState>(new CounterState { Value = 42 });
        await storage.ReadStateAsync(StateName, Id("e"), read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(0, read.State.Value);

        read.State.Value = 4;
        await storage.WriteStateAsync(StateName, Id("e"), read);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task Clear_with_stale_etag_conflicts_and_keeps_the_record()
    {
        var storage = NewStorage();
        var state = new GrainState<CounterState>(new CounterState { Value = 3 });
        await storage.WriteStateAsync(StateName, Id("f"), state);
        var stale = new GrainState<CounterState>(new CounterState()) { ETag = state.ETag, RecordExists = true };
        state.State.Value = 4;
        await storage.WriteStateAsync(StateName, Id("f"), state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, Id("f"), stale));

        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync(StateName, Id("f"), read);
        Assert.True(read.RecordExists);
        Assert.Equal(4, read.State.Value);
    }

    [Fact]
    public async Task Two_hundred_grains_write_concurrently()
    {
        var storage = NewStorage();
        const int grains = 200;
        const int writesPerGrain = 3;

        await Task.WhenAll(Enumerable.Range(0, grains).Select(i => Task.Run(async () =>
        {
            var state = new GrainState<CounterState>(new CounterState());
            for (var n = 1; n <= writesPerGrain; n++)
            {
                state.State.Value = i * 10 + n;
                await storage.WriteStateAsync(StateName, Id($"many-{i}"), state);
            }
        })));

        var reader = NewStorage();
        for (var i = 0; i < grains; i++)
        {
            var read = new GrainState<CounterState>(new CounterState());
            await reader.ReadStateAsync(StateName, Id($"many-{i}"), read);
            Assert.True(read.RecordExists);
            Assert.Equal(i * 10 + writesPerGrain, read.State.Value);
        }
    }

    [Fact]
    public async Task A_new_storage_instance_on_the_same_file_reads_what_was_written_in_wal_mode()
    {
        var first = NewStorage();
        var state = new GrainState<CounterState>(new CounterState { Value = 11, Note = "persisted" });
        await first.WriteStateAsync(StateName, Id("g"), state);
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
        _providers.Clear();
        SqliteConnection.ClearAllPools();

        var second = NewStorage();
        var read = new GrainState<CounterState>(new CounterState());
        await second.ReadStateAsync(StateName, Id("g"), read);

        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal(11, read.State.Value);
        Assert.Equal("persisted", read.State.Note);

        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task State_written_as_v1_reads_back_as_v2_with_old_fields_and_v2_reads_as_v1()
    {
        var storage = NewStorage();
        var v1 = new GrainState<ProfileStateV1>(new ProfileStateV1 { Name = "ada", Count = 3 });
        await storage.WriteStateAsync("profile", Id("evolving"), v1);

        var v2 = new GrainState<ProfileStateV2>(new ProfileStateV2());
        await storage.ReadStateAsync("profile", Id("evolving"), v2);
        Assert.True(v2.RecordExists);
        Assert.Equal("ada", v2.State.Name);
        Assert.Equal(3, v2.State.Count);
        Assert.Equal(["default-tag"], v2.State.Tags); // the added field keeps its initializer

        // The newer version writes the added field; an older reader skips it and keeps the rest.
        v2.State.Tags = ["x", "y"];
        v2.State.Count = 4;
        await storage.WriteStateAsync("profile", Id("evolving"), v2);
        var back = new GrainState<ProfileStateV1>(new ProfileStateV1());
        await storage.ReadStateAsync("profile", Id("evolving"), back);
        Assert.Equal("ada", back.State.Name);
        Assert.Equal(4, back.State.Count);
        var again = new GrainState<ProfileStateV2>(new ProfileStateV2());
        await storage.ReadStateAsync("profile", Id("evolving"), again);
        Assert.Equal(["x", "y"], again.State.Tags);
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

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
