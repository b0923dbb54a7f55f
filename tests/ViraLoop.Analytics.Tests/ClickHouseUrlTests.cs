using Xunit;

namespace ViraLoop.Analytics.Tests;

/// <summary>The ClickHouse URL a silo is configured with: endpoint and database, and database names that are refused (they go into SQL).</summary>
public sealed class ClickHouseUrlTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8123", "http://127.0.0.1:8123/", "viraloop")]
    [InlineData("http://127.0.0.1:8123/?database=vl_loop_1", "http://127.0.0.1:8123/", "vl_loop_1")]
    [InlineData("https://ch.example:8443/?user=x&database=Analytics", "https://ch.example:8443/", "Analytics")]
    public void Parse_GivesTheEndpointWithoutQuery_AndTheDatabase(string url, string endpoint, string database)
    {
        var (e, d) = EngagementStores.ParseClickHouseUrl(url);
        Assert.Equal((endpoint, database), (e.ToString(), d));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8123/?database=x;DROP%20TABLE%20t")]
    [InlineData("http://127.0.0.1:8123/?database=1abc")]
    [InlineData("http://127.0.0.1:8123/?database=")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("not a url")]
    public void Parse_RefusesWhatCannotBeADatabaseOrAnHttpEndpoint(string url) =>
        Assert.Throws<ArgumentException>(() => EngagementStores.ParseClickHouseUrl(url));
}
