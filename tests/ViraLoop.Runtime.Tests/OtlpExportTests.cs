using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenTelemetry.Trace;
using ViraLoop.Runtime.Configuration;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.Sqlite;
using ViraLoop.Runtime.TestGrains;
using ViraLoop.Runtime.Tests.Infrastructure;
using Xunit;

namespace ViraLoop.Runtime.Tests;

/// <summary>Grain-turn traces reach an OTLP/HTTP endpoint (a local server following the OTLP contract: POST /v1/traces, protobuf).</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Turns_AreExportedOverOtlpHttp()
    {
        var received = new TaskCompletionSource<(string Path, string ContentType, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = StartListener(out var port);
        _ = Task.Run(async () =>
        {
            // Answer every export (other tests' turns may be exported too while this provider lives); keep ours.
            while (listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using var ms = new MemoryStream();
                await ctx.Request.InputStream.CopyToAsync(ms);
                if (Encoding.UTF8.GetString(ms.ToArray()).Contains("grain counter.Increment"))
                    received.TrySetResult((ctx.Request.Url!.AbsolutePath, ctx.Request.ContentType ?? "", ms.ToArray()));
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "application/x-protobuf";
                ctx.Response.Close();
            }
        });

        var dir = Directory.CreateTempSubdirectory("vl-otlp-").FullName;
        using (var provider = Tracing.CreateProvider($"http://127.0.0.1:{port}", "viraloop-test"))
        {
            await using var silo = new SiloBuilder().AddGrain<ICounterGrain, CounterGrain>().UseEmbedded(Path.Combine(dir, "s.db")).Build();
            await silo.StartAsync();
            await silo.GrainFactory.GetGrain<ICounterGrain>("traced").Increment(2);
            provider.ForceFlush(10_000);
        }
        var (path, type, body) = await Wait.ForAsync(received.Task, "the OTLP export");
        Assert.Equal("/v1/traces", path);
        Assert.Equal("application/x-protobuf", type);
        var text = Encoding.UTF8.GetString(body);
        Assert.Contains("grain counter.Increment", text);
        Assert.Contains("viraloop-test", text);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private static HttpListener StartListener(out int port)
    {
        for (int attempt = 1; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var l = new HttpListener();
            l.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                l.Start();
                return l;
            }
            catch (HttpListenerException) when (attempt < 20) { l.Close(); }
        }
    }
}
