namespace ViraLoop.Analytics;

public static class EngagementStores
{
    /// <summary>
    /// ClickHouse when <paramref name="clickHouseUrl"/> (e.g. VIRALOOP_CLICKHOUSE) is set, else the embedded SQLite store at
    /// <paramref name="sqlitePath"/>: analytics events go to ClickHouse when configured, else to the state database.
    /// </summary>
    public static async Task<IEngagementStore> OpenAsync(string? clickHouseUrl, string sqlitePath, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(clickHouseUrl))
        {
            return await EmbeddedStore.OpenAsync(sqlitePath, cancellationToken).ConfigureAwait(false);
        }

        // Created lazily: a silo starts while ClickHouse is still down; appends buffer until it answers.
        return ClickHouseStore.Create(new ClickHouseStoreOptions { Endpoint = new Uri(clickHouseUrl) });
    }
}
