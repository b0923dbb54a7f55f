using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ViraLoop.Cluster.Tests.Infrastructure;

/// <summary>Which silo consumes which stream queue, from the RabbitMQ management API (connection names carry the silo name).</summary>
public static class BrokerView
{
    public static async Task<Dictionary<string, string>> QueueConsumersAsync(string queuePrefix)
    {
        var management = Environment.GetEnvironmentVariable("VIRALOOP_RABBITMQ_MANAGEMENT")
            ?? throw new InvalidOperationException("VIRALOOP_RABBITMQ_MANAGEMENT is not set: run the suite with scripts/test.sh.");
        var uri = new Uri(management);
        using var http = new HttpClient { BaseAddress = new Uri($"{uri.Scheme}://{uri.Host}:{uri.Port}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
        using var connections = JsonDocument.Parse(await http.GetStringAsync("api/connections"));
        var names = connections.RootElement.EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => c.TryGetProperty("user_provided_name", out var n) ? n.GetString() ?? "" : "");
        using var consumers = JsonDocument.Parse(await http.GetStringAsync("api/consumers"));
        var result = new Dictionary<string, string>();
        foreach (var c in consumers.RootElement.EnumerateArray())
        {
            var queue = c.GetProperty("queue").GetProperty("name").GetString()!;
            if (!queue.StartsWith(queuePrefix, StringComparison.Ordinal)) continue;
            // The broker fills channel details in a moment after a consumer appears: until then, unknown.
            if (c.GetProperty("channel_details") is not { ValueKind: JsonValueKind.Object } channel) continue;
            var connection = channel.GetProperty("connection_name").GetString()!;
            var provided = names.GetValueOrDefault(connection, "");
            result[queue] = provided.Split('/')[0];
        }
        return result;
    }
}
