using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using ViraLoop.Contracts;

namespace ViraLoop.Client;

/// <summary>An error the API answered: its HTTP status and problem document (type, title, detail).</summary>
public sealed class ViraLoopApiException(int status, string type, string title, string detail, TimeSpan? retryAfter = null)
    : Exception($"{title} {detail}".Trim())
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string Detail { get; } = detail;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The HTTP SDK, for programs outside the cluster: the REST API and the live hub with the grain SDK's method names
/// (<see cref="ViraLoopVideos"/>). <see cref="WatchAsync"/> reconnects by itself and resumes after the last event it gave.
/// <code>
/// await using var vl = new ViraLoopHttpClient(new Uri("https://viraloop.example"), apiKey);
/// var video = await vl.SubmitAsync(new CreateVideoBody { Topic = "Why the sea is salty", Preview = true });
/// await foreach (var e in vl.WatchAsync(video.Id)) Console.WriteLine(e.Progress?.Percent);
/// </code>
/// </summary>
public sealed partial class ViraLoopHttpClient : IAsyncDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly string _credential;
    private readonly Func<HttpMessageHandler>? _handler;

    /// <param name="credential">An API key (<c>vlk_…</c>) or a JWT bearer token.</param>
    /// <param name="handler">For tests and proxies: the handler every request (and the hub) goes through.</param>
    public ViraLoopHttpClient(Uri baseAddress, string credential, Func<HttpMessageHandler>? handler = null)
    {
        _base = baseAddress;
        _credential = credential;
        _handler = handler;
        _http = handler is null ? new HttpClient() : new HttpClient(handler(), disposeHandler: true);
        _http.BaseAddress = baseAddress;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
    }

    public Task<VideoView> SubmitAsync(CreateVideoBody video, string? idempotencyKey = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/videos") { Content = JsonContent.Create(video, options: Json) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return SendAsync<VideoView>(request, ct);
    }

    public Task<VideoView> GetAsync(string id, CancellationToken ct = default) =>
        SendAsync<VideoView>(new HttpRequestMessage(HttpMethod.Get, $"v1/videos/{Uri.EscapeDataString(id)}"), ct);

    public Task<VideoPage> ListAsync(string? status = null, int limit = 20, string? cursor = null, CancellationToken ct = default)
    {
        var query = $"v1/videos?limit={limit}" + (status is null ? "" : $"&status={Uri.EscapeDataString(status)}") + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
        return SendAsync<VideoPage>(new HttpRequestMessage(HttpMethod.Get, query), ct);
    }

    public Task<VideoView> ApproveAsync(string id, ApproveBody? edited = null, CancellationToken ct = default) =>
        SendAsync<VideoView>(new HttpRequestMessage(HttpMethod.Post, $"v1/videos/{Uri.EscapeDataString(id)}/approve")
            { Content = JsonContent.Create(edited ?? new ApproveBody(), options: Json) }, ct);

    public Task<VideoView> RejectAsync(string id, string reason, CancellationToken ct = default) =>
        SendAsync<VideoView>(new HttpRequestMessage(HttpMethod.Post, $"v1/videos/{Uri.EscapeDataString(id)}/reject")
            { Content = JsonContent.Create(new ReasonBody { Reason = reason }, options: Json) }, ct);

    public Task<VideoView> CancelAsync(string id, string? reason = null, CancellationToken ct = default) =>
        SendAsync<VideoView>(new HttpRequestMessage(HttpMethod.Post, $"v1/videos/{Uri.EscapeDataString(id)}/cancel")
            { Content = JsonContent.Create(new ReasonBody { Reason = reason }, options: Json) }, ct);

    /// <summary>The video's script (409 until it is written).</summary>
    public Task<ViraLoop.Media.Script> GetScriptAsync(string id, CancellationToken ct = default) =>
        SendAsync<ViraLoop.Media.Script>(new HttpRequestMessage(HttpMethod.Get, $"v1/videos/{Uri.EscapeDataString(id)}/script"), ct);

    /// <summary>The tenant's videos most like this one by their DNA, most similar first (k: 1–50); 409 until the video is finished.</summary>
    public Task<SimilarVideosView> FindSimilarAsync(string id, int k = ViraLoop.Grains.DnaLimits.DefaultSimilar, CancellationToken ct = default) =>
        SendAsync<SimilarVideosView>(new HttpRequestMessage(HttpMethod.Get,
            $"v1/videos/{Uri.EscapeDataString(id)}/similar?k={k.ToString(System.Globalization.CultureInfo.InvariantCulture)}"), ct);

    /// <summary>The tenant's usage this day and month, and its plan.</summary>
    public Task<ViraLoop.Grains.Messages.TenantUsage> GetUsageAsync(CancellationToken ct = default) =>
        SendAsync<ViraLoop.Grains.Messages.TenantUsage>(new HttpRequestMessage(HttpMethod.Get, "v1/usage"), ct);

    /// <summary>Copies one of the video's files (<c>video.mp4</c>, <c>thumbnail.jpg</c>, <c>captions.ass</c>, <c>hls/index.m3u8</c>…) to a stream.</summary>
    public async Task DownloadAsync(string id, string file, Stream to, CancellationToken ct = default)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"v1/videos/{Uri.EscapeDataString(id)}/{file}"),
            HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, ct);
        await using var from = await response.Content.ReadAsStreamAsync(ct);
        await from.CopyToAsync(to, ct);
    }

    /// <summary>
    /// The video's snapshot, then its progress events in order, until its final event; over the hub, reconnecting after a
    /// lost connection and resuming after the last event given (nothing twice, nothing missed that the job still holds).
    /// </summary>
    public async IAsyncEnumerable<LiveEvent> WatchAsync(string id, long afterSequence = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var last = afterSequence;
        for (var attempt = 0; ; attempt++)
        {
            await using var hub = BuildHub();
            var ended = false;
            Exception? lost = null;
            IAsyncEnumerator<LiveEvent>? feed = null;
            try
            {
                await hub.StartAsync(ct);
                feed = hub.StreamAsync<LiveEvent>("Watch", id, last, ct).GetAsyncEnumerator(ct);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException && attempt < 10) { lost = e; }
            while (feed is not null && lost is null)
            {
                LiveEvent e;
                try
                {
                    if (!await feed.MoveNextAsync()) { ended = true; break; }
                    e = feed.Current;
                }
                catch (Microsoft.AspNetCore.SignalR.HubException h) { throw new ViraLoopApiException(404, "not-found", "Not found.", h.Message.Split(": ").Last()); }
                catch (Exception x) when (x is not OperationCanceledException && attempt < 10) { lost = x; break; }
                attempt = 0;
                if (e.Type == "progress" && e.Sequence <= last) continue;
                last = Math.Max(last, e.Sequence);
                yield return e;
            }
            if (feed is not null) await feed.DisposeAsync();
            if (ended) yield break;
            await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), ct);
        }
    }

    private HubConnection BuildHub() => new HubConnectionBuilder()
        .WithUrl(new Uri(_base, "hubs/jobs"), o =>
        {
            o.AccessTokenProvider = () => Task.FromResult<string?>(_credential);
            if (_handler is not null)
            {
                o.HttpMessageHandlerFactory = _ => _handler();
                o.Transports = HttpTransportType.LongPolling;
            }
        })
        .Build();

    private Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken ct) => SendAsync<T>(_http, request, ct);

    internal static async Task<T> SendAsync<T>(HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        using (var response = await http.SendAsync(request, ct))
        {
            if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, ct);
            return await response.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new ViraLoopApiException((int)response.StatusCode, "empty", "Empty answer.", "");
        }
    }

    internal static async Task<ViraLoopApiException> ErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var retry = response.Headers.RetryAfter?.Delta;
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
            string Get(string name) => problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString() ?? "" : "";
            var type = Get("type");
            return new ViraLoopApiException(status, type[(type.LastIndexOf('/') + 1)..], Get("title"), Get("detail"), retry);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return new ViraLoopApiException(status, "http-" + status, response.ReasonPhrase ?? "", "", retry);
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
