using Orleans.Storage;

namespace ViraLoop.Providers.Sqlite;

/// <summary>Options of <see cref="SqliteGrainStorage"/>.</summary>
public sealed class SqliteGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>Path of the SQLite file. Its directory is created if missing. Required.</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>How long a writer waits for the file lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Serializer of the state payload. Left null, the silo's configured <see cref="IGrainStorageSerializer"/>
    /// (keyed by the provider name first) is used, as Orleans' own providers do.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}
