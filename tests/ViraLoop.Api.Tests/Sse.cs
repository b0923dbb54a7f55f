using System.Text.Json;

namespace ViraLoop.Api.Tests;

/// <summary>A Server-Sent Events reader: (id, event, data) in arrival order until the server ends the stream.</summary>
public static class Sse
{
    public sealed record Event(long Id, string Type, JsonElement Data);

    public static async Task<List<Event>> ReadAllAsync(HttpClient http, string url, TimeSpan timeout, Func<Event, bool>? stopAfter = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}", null, response.StatusCode);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream") throw new InvalidOperationException("not an event stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var events = new List<Event>();
        long id = 0;
        string type = "message";
        var data = new List<string>();
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    var e = new Event(id, type, JsonDocument.Parse(string.Join("\n", data)).RootElement.Clone());
                    events.Add(e);
                    if (stopAfter?.Invoke(e) == true) return events;
                }
                (type, data) = ("message", []);
                continue;
            }
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Add(line[6..]);
        }
        return events;
    }
}
