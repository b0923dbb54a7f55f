using System.Net;
using System.Net.Sockets;
using ViraLoop.Media.Storage;

namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// Limits on what a vendor's answer may make us download: how large, of which type, for how long, and from where.
/// </summary>
public sealed record DownloadLimits
{
    public static readonly DownloadLimits Default = new();

    /// <summary>The largest file accepted (default 512 MiB: a 10 s 1080p clip is a few tens of MB).</summary>
    public long MaxBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>How long one download may take, redirects included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Content types accepted (prefixes); CDNs often answer octet-stream.</summary>
    public IReadOnlyList<string> Types { get; init; } = ["video/", "application/octet-stream", "binary/octet-stream"];

    public int MaxRedirects { get; init; } = 3;
}

/// <summary>
/// Downloads a file whose URL a vendor gave (a signed CDN link), as a guarded fetch: http(s) only (plain http only when the
/// configured API is plain http), never to a private, loopback or link-local address other than the configured API's own
/// host (no server-side request forgery through a redirect or a crafted URL), redirects followed by hand and checked each,
/// a size cap (declared and counted), the content types of video, and a time limit. A refusal is a
/// <see cref="VisualBackendRejectedException"/> saying why (the scene falls back to the procedural renderer).
/// </summary>
public static class GuardedDownload
{
    /// <summary>Writes the file; false when the URL answers 401/403/404/410 (an expired signature: ask for a fresh one).</summary>
    public static async Task<bool> FetchAsync(HttpClient http, string url, string configuredBaseUrl, string path, DownloadLimits limits,
        string backend, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limits.Timeout);
        var configured = new Uri(configuredBaseUrl);
        var target = Parse(url, backend);
        try
        {
            for (var hop = 0; ; hop++)
            {
                await CheckAsync(target, configured, backend, timeout.Token);
                using var request = new HttpRequestMessage(HttpMethod.Get, target);
                using var response = await VendorHttp.SendAsync(http, request, backend, paid: false, timeout.Token, HttpCompletionOption.ResponseHeadersRead);
                // A client that follows redirects by itself: the place it ended up must pass too.
                if (response.RequestMessage?.RequestUri is { } landed && landed != target) await CheckAsync(landed, configured, backend, timeout.Token);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (hop >= limits.MaxRedirects)
                        throw Refused(backend, $"the download of its output redirected more than {limits.MaxRedirects} times");
                    target = Parse(new Uri(target, location).ToString(), backend);
                    continue;
                }
                if (status is 401 or 403 or 404 or 410) return false;
                if (status is < 200 or > 299)
                    throw new VisualBackendUnavailableException(backend, $"{backend}'s output URL answered HTTP {status}.", status, null);
                var type = response.Content.Headers.ContentType?.MediaType ?? "";
                if (!limits.Types.Any(t => type.StartsWith(t, StringComparison.OrdinalIgnoreCase)))
                    throw Refused(backend, $"its output is of type '{(type.Length == 0 ? "none" : type)}', not a video");
                if (response.Content.Headers.ContentLength is { } declared && declared > limits.MaxBytes)
                    throw Refused(backend, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"its output is {declared:N0} bytes, more than the {limits.MaxBytes:N0} allowed"));
                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
                await AtomicFile.WriteAsync(path, async (file, token) =>
                {
                    var buffer = new byte[81920];
                    long total = 0;
                    int n;
                    while ((n = await body.ReadAsync(buffer, token)) > 0)
                    {
                        total += n;
                        if (total > limits.MaxBytes) throw Refused(backend, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"its output is larger than the {limits.MaxBytes:N0} bytes allowed"));
                        await file.WriteAsync(buffer.AsMemory(0, n), token);
                    }
                }, timeout.Token);
                return true;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new VisualBackendUnavailableException(backend, $"{backend}'s output did not download in {limits.Timeout.TotalSeconds:0} s.", null, null);
        }
    }

    private static Uri Parse(string url, string backend) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? uri
            : throw Refused(backend, $"its output URL is not an http(s) URL");

    private static async Task CheckAsync(Uri target, Uri configured, string backend, CancellationToken ct)
    {
        if (target.Scheme == "http" && configured.Scheme != "http")
            throw Refused(backend, $"its output URL {Describe(target)} is plain http while the API is https");
        if (string.Equals(target.IdnHost, configured.IdnHost, StringComparison.OrdinalIgnoreCase)) return; // the vendor's own host
        IPAddress[] addresses;
        if (IPAddress.TryParse(target.IdnHost, out var literal)) addresses = [literal];
        else
        {
            try { addresses = await Dns.GetHostAddressesAsync(target.IdnHost, ct); }
            catch (SocketException e) { throw new VisualBackendUnavailableException(backend, $"{backend}'s output host {target.IdnHost} does not resolve: {e.Message}", null, null); }
        }
        if (addresses.Length == 0 || addresses.Any(IsPrivate))
            throw Refused(backend, $"its output URL {Describe(target)} points at a private, loopback or link-local address");
    }

    /// <summary>Addresses a vendor's link must never make us fetch: private, loopback, link-local, unique-local, unspecified, multicast, CGNAT.</summary>
    public static bool IsPrivate(IPAddress a)
    {
        if (a.IsIPv4MappedToIPv6) a = a.MapToIPv4();
        if (IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || a.Equals(IPAddress.Broadcast)) return true;
        if (a.AddressFamily == AddressFamily.InterNetworkV6)
            return a.IsIPv6LinkLocal || a.IsIPv6SiteLocal || a.IsIPv6Multicast || (a.GetAddressBytes()[0] & 0xFE) == 0xFC;
        var b = a.GetAddressBytes();
        return b[0] == 10 || b[0] == 127 || b[0] == 0 || b[0] >= 224
            || b[0] == 172 && b[1] is >= 16 and <= 31
            || b[0] == 192 && b[1] == 168
            || b[0] == 169 && b[1] == 254
            || b[0] == 100 && b[1] is >= 64 and <= 127;
    }

    private static string Describe(Uri u) => $"{u.Scheme}://{u.Authority}{u.AbsolutePath}";

    private static VisualBackendRejectedException Refused(string backend, string why) =>
        new(backend, $"{backend}'s answer was refused: {why}.", 200, "DOWNLOAD_REFUSED", isContentPolicy: false);
}
