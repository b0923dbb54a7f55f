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

        // Created lazily: a silo starts while ClickHouse is still down; appends buffer until it answers. The writer before
        // this one may have died between an INSERT and its reconciliation: the first write repairs what it left.
        var (endpoint, database) = ParseClickHouseUrl(clickHouseUrl);
        return ClickHouseStore.Create(new ClickHouseStoreOptions { Endpoint = endpoint, Database = database, RepairOnStart = true });
    }

    /// <summary>
    /// A ClickHouse URL such as <c>http://127.0.0.1:8123/?database=viraloop</c>: the HTTP endpoint, and the database from its
    /// <c>database</c> parameter (default <c>viraloop</c>; letters, digits and '_' only, as it is written into SQL).
    /// </summary>
    public static (Uri Endpoint, string Database) ParseClickHouseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"ClickHouse URL '{url}' is not an http(s) URL such as http://127.0.0.1:8123/?database=viraloop.", nameof(url));
        var database = "viraloop";
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq > 0 && pair[..eq] == "database") database = Uri.UnescapeDataString(pair[(eq + 1)..]);
        }
        if (database.Length is 0 or > 64 || !database.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(database[0]))
            throw new ArgumentException($"ClickHouse database '{database}': 1–64 ASCII letters, digits or '_', not starting with a digit.", nameof(url));
        return (new UriBuilder(uri) { Query = "" }.Uri, database);
    }
}
