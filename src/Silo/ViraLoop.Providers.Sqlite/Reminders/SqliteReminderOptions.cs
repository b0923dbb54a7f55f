namespace ViraLoop.Providers.Sqlite;

/// <summary>Options of <see cref="SqliteReminderTable"/>.</summary>
public sealed class SqliteReminderOptions
{
    /// <summary>Path of the SQLite file (may be the grain storage's file). Its directory is created if missing. Required.</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>How long a writer waits for the file lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
