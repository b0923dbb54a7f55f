using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ViraLoop.Media.Tests;

/// <summary>Tests that start local vendor servers run one at a time (HttpListener shares endpoints process-wide).</summary>
[CollectionDefinition("local api servers", DisableParallelization = true)]
public sealed class LocalApiServersCollection;

/// <summary>
/// A local HTTP server standing in for a paid vendor API in tests. It follows the vendor's documented
/// contract (paths, headers, JSON shapes) and records what the adapter sent.
/// </summary>
public sealed class LocalApiServer : IDisposable
{
    private HttpListener _listener;
    private readonly Func<RecordedRequest, (int Status, string ContentType, byte[] Body)> _handler;
    private readonly Task _loop;

    public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

    public List<RecordedRequest> Requests { get; } = new();

    public LocalApiServer(Func<RecordedRequest, (int Status, string ContentType, byte[] Body)> handler)
    {
        _handler = handler;
        // Ask the OS for a free port, then bind it; another test may take it in between, so try again.
        for (int attempt = 1; ; attempt++)
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            Port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                _listener.Close();
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var req = new RecordedRequest(ctx.Request.HttpMethod, ctx.Request.Url!.PathAndQuery,
                ctx.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => ctx.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase),
                await reader.ReadToEndAsync());
            lock (Requests) Requests.Add(req);
            var (status, type, body) = _handler(req);
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = type;
            await ctx.Response.OutputStream.WriteAsync(body);
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        // The managed HttpListener looks its endpoint up again on close and can trip over a port another
        // listener has taken since; the server is gone either way.
        try { _listener.Stop(); } catch (HttpListenerException) { }
        try { _listener.Close(); } catch (HttpListenerException) { }
    }

    public static (int, string, byte[]) Json(string json, int status = 200) => (status, "application/json", Encoding.UTF8.GetBytes(json));

    /// <summary>A short 16-bit PCM tone (the "voice" a fake vendor returns).</summary>
    public static short[] Tone(int sampleRate, double seconds, double silenceAround = 0.2)
    {
        int n = (int)(sampleRate * (seconds + 2 * silenceAround));
        var s = new short[n];
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / sampleRate;
            if (t > silenceAround && t < silenceAround + seconds) s[i] = (short)(8000 * Math.Sin(2 * Math.PI * 220 * t));
        }
        return s;
    }
}
