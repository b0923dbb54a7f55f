using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ViraLoop.Media.Tests.Visuals.Backends;

/// <summary>
/// A small HTTP server that stands in for a paid vendor: it answers each request from a handler that follows the vendor's
/// documented contract (status, headers such as Retry-After, JSON or binary bodies) and records what it was sent.
/// </summary>
public sealed class VendorContractServer : IDisposable
{
    public sealed record Request(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();
    }

    public sealed record Response(int Status, string ContentType, byte[] Body, IReadOnlyDictionary<string, string>? Headers = null)
    {
        public static Response Json(object value, int status = 200, IReadOnlyDictionary<string, string>? headers = null) =>
            new(status, "application/json", JsonSerializer.SerializeToUtf8Bytes(value), headers);

        public static Response RawJson(string json, int status = 200, IReadOnlyDictionary<string, string>? headers = null) =>
            new(status, "application/json", Encoding.UTF8.GetBytes(json), headers);
    }

    private readonly HttpListener _listener;
    private readonly Func<Request, Response> _handler;
    private readonly Task _loop;
    private readonly List<Request> _requests = [];

    public VendorContractServer(Func<Request, Response> handler)
    {
        _handler = handler;
        for (int attempt = 1; ; attempt++)
        {
            // A free port from the OS; another process may take it before we bind, so try a few times.
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                listener.Start();
                _listener = listener;
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<Request> Requests { get { lock (_requests) return _requests.ToList(); } }

    public int Count(string method, string path) => Requests.Count(r => r.Method == method && r.Path == path);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try
            {
                using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
                var url = ctx.Request.Url!;
                var request = new Request(ctx.Request.HttpMethod, url.AbsolutePath, url.Query,
                    ctx.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => ctx.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase),
                    await reader.ReadToEndAsync());
                lock (_requests) _requests.Add(request);
                Response response;
                try { response = _handler(request); }
                catch (Exception e) { response = Response.RawJson(JsonSerializer.Serialize(new { error = $"test server handler failed: {e.Message}" }), 599); }
                ctx.Response.StatusCode = response.Status;
                ctx.Response.ContentType = response.ContentType;
                foreach (var (k, v) in response.Headers ?? new Dictionary<string, string>())
                    if (k.Equals("Location", StringComparison.OrdinalIgnoreCase)) ctx.Response.RedirectLocation = v;
                    else ctx.Response.Headers[k] = v;
                ctx.Response.ContentLength64 = response.Body.Length;
                await ctx.Response.OutputStream.WriteAsync(response.Body);
                ctx.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client went away mid-answer; the next request gets a fresh context.
            }
        }
    }

    public void Dispose()
    {
        try { _listener.Stop(); } catch (HttpListenerException) { }
        try { _listener.Close(); } catch (HttpListenerException) { }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
