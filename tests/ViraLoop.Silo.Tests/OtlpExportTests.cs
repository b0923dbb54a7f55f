using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Xunit;

namespace ViraLoop.Silo.Tests;

/// <summary>With ViraLoop:Otlp set, Orleans' grain-call activities reach an OTLP/HTTP endpoint (a local collector stand-in).</summary>
public sealed class OtlpExportTests
{
    private sealed class Factory(string otlp) : WebApplicationFactory<Program>
    {
        private readonly string _db = Path.Combine(Directory.CreateTempSubdirectory("vl-otlp-").FullName, "state.db");

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("ViraLoop:Mode", "embedded");
            builder.UseSetting("ViraLoop:Database", _db);
            builder.UseSetting("ViraLoop:SiloPort", "0");
            builder.UseSetting("ViraLoop:GatewayPort", "0");
            builder.UseSetting("ViraLoop:Otlp", otlp);
        }
    }

    [Fact]
    public async Task GrainCallTraces_AreExportedOverOtlpHttp()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var traces = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await listener.GetContextAsync(); } catch (Exception) { return; }
                using var body = new MemoryStream();
                try { await ctx.Request.InputStream.CopyToAsync(body); }
                catch (Exception e) when (e is ObjectDisposedException or HttpListenerException or IOException) { return; }
                if (ctx.Request.Url!.AbsolutePath == "/v1/traces" && ctx.Request.ContentType == "application/x-protobuf")
                {
                    var bytes = body.ToArray();
                    // Wait for the batch that carries the test's own grain calls (others carry other sources, or the silo's
                    // own traffic such as its GPU worker pulling work).
                    var text = Encoding.UTF8.GetString(bytes);
                    if (text.Contains("Microsoft.Orleans", StringComparison.Ordinal) && text.Contains("IManagementGrain", StringComparison.Ordinal))
                        traces.TrySetResult(bytes);
                }
                // The test may stop the listener while a late batch is in flight: its response is gone with it.
                try
                {
                    ctx.Response.StatusCode = 200;
                    ctx.Response.Close();
                }
                catch (Exception e) when (e is ObjectDisposedException or HttpListenerException or InvalidOperationException) { return; }
            }
        });

        await using var factory = new Factory($"http://127.0.0.1:{port}");
        _ = factory.CreateClient();
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        for (var i = 0; i < 5; i++) await grains.GetGrain<IManagementGrain>(0).GetHosts();

        var payload = await traces.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var text = Encoding.UTF8.GetString(payload);
        Assert.Contains("IManagementGrain", text);
        listener.Stop();
        await server;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
