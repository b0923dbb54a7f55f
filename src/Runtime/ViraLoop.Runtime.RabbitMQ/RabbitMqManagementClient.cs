using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

namespace ViraLoop.Runtime.RabbitMQ;

/// <summary>Depth and owner of one partition queue, as the dashboard shows it.</summary>
public sealed record PartitionQueueInfo(string GrainType, int Partition, string Queue, long Ready, long Unacknowledged, int Consumers, string? ActiveConsumer);

/// <summary>
/// Reads queue depths from the RabbitMQ management API (GET /api/queues/{vhost}): how many messages wait in
/// each partition of each grain type, how many are in flight, and which consumer owns the partition.
/// </summary>
public sealed class RabbitMqManagementClient(HttpClient http, string exchangePrefix = "vl")
{
    /// <summary>Creates a client from a management URL with credentials, e.g. http://guest:guest@127.0.0.1:15672/.</summary>
    public static RabbitMqManagementClient Create(string managementUrl, string exchangePrefix = "vl")
    {
        var uri = new Uri(managementUrl);
        var http = new HttpClient { BaseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"), Timeout = TimeSpan.FromSeconds(10) };
        if (!string.IsNullOrEmpty(uri.UserInfo))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
        return new RabbitMqManagementClient(http, exchangePrefix);
    }

    public async Task<IReadOnlyList<PartitionQueueInfo>> GetPartitionsAsync(string vhost = "/", CancellationToken cancellationToken = default)
    {
        var queues = await http.GetFromJsonAsync<List<QueueDto>>(
            $"api/queues/{Uri.EscapeDataString(vhost)}?columns=name,messages_ready,messages_unacknowledged,consumers,single_active_consumer_tag",
            cancellationToken) ?? [];
        var prefix = $"{exchangePrefix}.grain.";
        var result = new List<PartitionQueueInfo>();
        foreach (var q in queues)
        {
            if (q.Name is null || !q.Name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = q.Name[prefix.Length..];
            var dot = rest.LastIndexOf('.');
            if (dot < 0 || !int.TryParse(rest[(dot + 1)..], out var partition)) continue;
            result.Add(new PartitionQueueInfo(rest[..dot], partition, q.Name, q.Ready, q.Unacked, q.Consumers, q.ActiveConsumer));
        }
        return result.OrderBy(p => p.GrainType).ThenBy(p => p.Partition).ToList();
    }

    private sealed class QueueDto
    {
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("messages_ready")] public long Ready { get; set; }
        [JsonPropertyName("messages_unacknowledged")] public long Unacked { get; set; }
        [JsonPropertyName("consumers")] public int Consumers { get; set; }
        [JsonPropertyName("single_active_consumer_tag")] public string? ActiveConsumer { get; set; }
    }
}
