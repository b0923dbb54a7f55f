using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ViraLoop.Cluster.Tests.Infrastructure;

/// <summary>One span as an OTLP/HTTP export carried it, with the exporting process's <c>service.instance.id</c>.</summary>
public sealed record ExportedSpan(string Instance, string TraceId, string SpanId, string ParentSpanId, string Name);

/// <summary>
/// A stand-in OpenTelemetry collector: accepts OTLP/HTTP protobuf trace exports on loopback and decodes the few fields
/// the tests look at (resource attributes, trace/span/parent ids, span names) with a small wire-format reader.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly List<ExportedSpan> _spans = [];

    public OtlpReceiver()
    {
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); Port = ((IPEndPoint)l.LocalEndpoint).Port; }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<ExportedSpan> Spans { get { lock (_spans) return _spans.ToList(); } }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); } catch (Exception) { return; }
            using var body = new MemoryStream();
            await ctx.Request.InputStream.CopyToAsync(body);
            if (ctx.Request.Url!.AbsolutePath == "/v1/traces")
            {
                var spans = Decode(body.ToArray());
                lock (_spans) _spans.AddRange(spans);
            }
            ctx.Response.StatusCode = 200;
            ctx.Response.Close();
        }
    }

    /// <summary>ExportTraceServiceRequest → ResourceSpans(1) → Resource(1) / ScopeSpans(2) → Span(2).</summary>
    public static List<ExportedSpan> Decode(byte[] request)
    {
        var result = new List<ExportedSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue;
            var instance = "";
            var spans = new List<byte[]>();
            foreach (var (f, v) in Fields(resourceSpans))
            {
                if (f == 1)
                {
                    foreach (var (af, kv) in Fields(v))
                    {
                        if (af != 1) continue;
                        string? key = null, value = null;
                        foreach (var (kf, kvv) in Fields(kv))
                        {
                            if (kf == 1) key = Encoding.UTF8.GetString(kvv);
                            else if (kf == 2) foreach (var (vf, s) in Fields(kvv)) if (vf == 1) value = Encoding.UTF8.GetString(s);
                        }
                        if (key == "service.instance.id") instance = value ?? "";
                    }
                }
                else if (f == 2)
                {
                    foreach (var (sf, span) in Fields(v)) if (sf == 2) spans.Add(span);
                }
            }
            foreach (var span in spans)
            {
                string trace = "", id = "", parent = "", name = "";
                foreach (var (f, v) in Fields(span))
                {
                    switch (f)
                    {
                        case 1: trace = Convert.ToHexStringLower(v); break;
                        case 2: id = Convert.ToHexStringLower(v); break;
                        case 4: parent = Convert.ToHexStringLower(v); break;
                        case 5: name = Encoding.UTF8.GetString(v); break;
                    }
                }
                result.Add(new ExportedSpan(instance, trace, id, parent, name));
            }
        }
        return result;
    }

    /// <summary>The length-delimited fields of a message (varint and fixed fields are skipped).</summary>
    private static IEnumerable<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var list = new List<(int, byte[])>();
        var i = 0;
        while (i < message.Length)
        {
            var tag = Varint(message, ref i);
            var (field, wire) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wire)
            {
                case 0: Varint(message, ref i); break;
                case 1: i += 8; break;
                case 5: i += 4; break;
                case 2:
                    var length = (int)Varint(message, ref i);
                    list.Add((field, message[i..(i + length)]));
                    i += length;
                    break;
                default: throw new InvalidDataException($"Unexpected wire type {wire} in an OTLP message.");
            }
        }
        return list;
    }

    private static ulong Varint(byte[] b, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var x = b[i++];
            value |= (ulong)(x & 0x7f) << shift;
            if ((x & 0x80) == 0) return value;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
        _listener.Close();
    }
}
