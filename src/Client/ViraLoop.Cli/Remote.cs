using System.CommandLine;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using ViraLoop.Client;
using ViraLoop.Contracts;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;
using ViraLoop.Hosting;
using ViraLoop.Media;
using ViraLoop.Media.Storage;

namespace ViraLoop.Cli;

/// <summary>
/// One tenant's videos on a running cluster, the same calls whichever SDK carries them: the HTTP SDK (<c>--api</c>,
/// <c>--key</c>) or the grain client SDK (<c>--cluster</c>, <c>--tenant</c>). Answers are the API's shapes either way.
/// </summary>
internal interface IVideoRemote : IAsyncDisposable
{
    /// <summary>Where the calls go, for messages: the API's URL or "the cluster".</summary>
    string Where { get; }
    Task<VideoView> SubmitAsync(CreateVideoBody body, string? idempotencyKey, CancellationToken ct);
    Task<VideoView> GetAsync(string id, CancellationToken ct);
    Task<VideoPage> ListAsync(string? status, int limit, string? cursor, CancellationToken ct);
    Task<Script> GetScriptAsync(string id, CancellationToken ct);
    Task<VideoView> ApproveAsync(string id, CancellationToken ct);
    Task<VideoView> RejectAsync(string id, string reason, CancellationToken ct);
    Task<VideoView> CancelAsync(string id, string? reason, CancellationToken ct);
    IAsyncEnumerable<LiveEvent> WatchAsync(string id, CancellationToken ct);

    /// <summary>One of the video's files by its API path under the video (<c>video.mp4</c>, <c>hls/index.m3u8</c>…).</summary>
    Task DownloadAsync(string id, string file, Stream to, CancellationToken ct);
    Task<TenantUsage> GetUsageAsync(CancellationToken ct);

    /// <summary>The tenant's videos most like this one by their DNA, most similar first.</summary>
    Task<SimilarVideosView> FindSimilarAsync(string id, int k, CancellationToken ct);
}

/// <summary>The connection options every remote command takes, and the remote they name.</summary>
internal sealed class RemoteOptions
{
    public readonly Option<string?> Api = new("--api") { Description = "The API's base URL (default: VIRALOOP_API_URL, else the cluster `viraloop cluster start` started)", Recursive = true };
    public readonly Option<string?> Key = new("--key") { Description = "A tenant API key or JWT (default: VIRALOOP_API_KEY)", Recursive = true };
    public readonly Option<bool> Cluster = new("--cluster") { Description = "Through the grain client SDK instead of HTTP (settings from the environment: ViraLoop__Postgres, ViraLoop__RabbitMq, ViraLoop__Blobs…)", Recursive = true };
    public readonly Option<string> Tenant = new("--tenant") { Description = "With --cluster: the tenant (over HTTP the key names it)", DefaultValueFactory = _ => "local", Recursive = true };
    public readonly Option<bool> Json = new("--json") { Description = "Machine-readable output (JSON on stdout)", Recursive = true };

    public void AddTo(Command c)
    {
        c.Options.Add(Api);
        c.Options.Add(Key);
        c.Options.Add(Cluster);
        c.Options.Add(Tenant);
        c.Options.Add(Json);
    }

    public async Task<IVideoRemote> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        if (parse.GetValue(Cluster))
        {
            var tenant = parse.GetValue(Tenant)!;
            if (!JobKeys.IsValidPart(tenant)) throw new CliException($"--tenant must be 1–64 letters, digits, '-' or '_'; got '{tenant}'.", CliApp.BadInput);
            var options = ViraLoopOptions.From(new ConfigurationBuilder().AddEnvironmentVariables().Build());
            options.Mode = "cluster";
            try { options.Validate(); }
            catch (InvalidOperationException e)
            {
                throw new CliException($"{e.Message} --cluster takes the silos' settings from the environment (ViraLoop__Postgres, ViraLoop__RabbitMq, ViraLoop__Blobs, ViraLoop__ClusterId).", CliApp.BadInput);
            }
            ViraLoopClient client;
            try { client = await ViraLoopClient.ConnectAsync(options, ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new CliException($"Cannot reach the cluster: {e.Message}", CliApp.Failed);
            }
            return new GrainRemote(client, tenant, new DirectoryBlobStore(options.BlobDirectory));
        }
        var api = ApiUrl(parse.GetValue(Api));
        var key = parse.GetValue(Key) ?? Environment.GetEnvironmentVariable("VIRALOOP_API_KEY");
        if (string.IsNullOrWhiteSpace(key)) throw new CliException("No API key: pass --key KEY or set VIRALOOP_API_KEY (an admin makes one with `viraloop keys create --tenant T`).", CliApp.BadInput);
        return new HttpRemote(new ViraLoopHttpClient(api, key), api);
    }

    /// <summary>The HTTP SDK alone (experiments and metrics go over HTTP only), and the API's URL for messages.</summary>
    public (ViraLoopHttpClient Http, Uri Api) OpenHttp(ParseResult parse)
    {
        if (parse.GetValue(Cluster)) throw new CliException("Experiments and metrics go through the HTTP API: use --api and --key instead of --cluster.", CliApp.BadInput);
        var api = ApiUrl(parse.GetValue(Api));
        var key = parse.GetValue(Key) ?? Environment.GetEnvironmentVariable("VIRALOOP_API_KEY");
        if (string.IsNullOrWhiteSpace(key)) throw new CliException("No API key: pass --key KEY or set VIRALOOP_API_KEY (an admin makes one with `viraloop keys create --tenant T`).", CliApp.BadInput);
        return (new ViraLoopHttpClient(api, key), api);
    }

    /// <summary>--api, else VIRALOOP_API_URL, else the API of the cluster <c>viraloop cluster start</c> remembers.</summary>
    public static Uri ApiUrl(string? given)
    {
        var url = given ?? Environment.GetEnvironmentVariable("VIRALOOP_API_URL") ?? ClusterCommands.Remembered()?.Api;
        if (string.IsNullOrWhiteSpace(url)) throw new CliException("No API: pass --api URL or set VIRALOOP_API_URL (or start one with `viraloop cluster start`).", CliApp.BadInput);
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliException($"--api must be an http(s) URL; got '{url}'.", CliApp.BadInput);
        return uri;
    }
}

internal sealed class HttpRemote(ViraLoopHttpClient http, Uri api) : IVideoRemote
{
    public string Where => api.ToString().TrimEnd('/');
    public Task<VideoView> SubmitAsync(CreateVideoBody body, string? idempotencyKey, CancellationToken ct) => http.SubmitAsync(body, idempotencyKey, ct);
    public Task<VideoView> GetAsync(string id, CancellationToken ct) => http.GetAsync(id, ct);
    public Task<VideoPage> ListAsync(string? status, int limit, string? cursor, CancellationToken ct) => http.ListAsync(status, limit, cursor, ct);
    public Task<Script> GetScriptAsync(string id, CancellationToken ct) => http.GetScriptAsync(id, ct);
    public Task<VideoView> ApproveAsync(string id, CancellationToken ct) => http.ApproveAsync(id, null, ct);
    public Task<VideoView> RejectAsync(string id, string reason, CancellationToken ct) => http.RejectAsync(id, reason, ct);
    public Task<VideoView> CancelAsync(string id, string? reason, CancellationToken ct) => http.CancelAsync(id, reason, ct);
    public IAsyncEnumerable<LiveEvent> WatchAsync(string id, CancellationToken ct) => http.WatchAsync(id, ct: ct);
    public Task DownloadAsync(string id, string file, Stream to, CancellationToken ct) => http.DownloadAsync(id, file, to, ct);
    public Task<TenantUsage> GetUsageAsync(CancellationToken ct) => http.GetUsageAsync(ct);
    public Task<SimilarVideosView> FindSimilarAsync(string id, int k, CancellationToken ct) => http.FindSimilarAsync(id, k, ct);
    public ValueTask DisposeAsync() => http.DisposeAsync();
}

/// <summary>The grain client SDK's side: the tenant's grains, and the shared blob directory for files.</summary>
internal sealed class GrainRemote(ViraLoopClient client, string tenant, IBlobStore blobs) : IVideoRemote
{
    private readonly ViraLoopVideos _videos = client.Videos(tenant);

    public string Where => "the cluster";

    public async Task<VideoView> SubmitAsync(CreateVideoBody b, string? idempotencyKey, CancellationToken ct)
    {
        var order = new VideoOrder
        {
            Topic = b.Topic ?? "",
            Text = b.Text,
            Scenes = b.Scenes?.Select(s => new SceneOrder(s.Text ?? "", s.Keywords, s.Visual, s.Duration)).ToList(),
            Language = b.Language ?? "en",
            DurationSeconds = b.DurationSeconds ?? 30,
            Style = b.Style ?? "auto",
            Palette = b.Palette,
            Mood = b.Music ?? "upbeat",
            Hook = b.Hook,
            Preview = b.Preview ?? false,
            Seed = b.Seed,
            Priority = b.Priority,
            RequireApproval = b.RequireApproval ?? false,
            VisualBackend = b.VisualBackend,
            Pacing = b.Pacing,
            Captions = b.Captions,
            Voice = b.Voice,
            Thumbnail = b.Thumbnail,
            TitleTemplate = b.TitleTemplate,
        };
        if (b.Genome is { Count: > 0 } genome)
        {
            var request = order.ToRequest();
            var g = ViraLoop.Media.Pipeline.CreativeGenes.Apply(request, genome,
                ViraLoop.Media.Pipeline.CreativeGenes.Given(b.Hook, b.Pacing, b.Captions, b.Style, b.Palette, b.Music, b.Voice, b.Thumbnail, b.TitleTemplate));
            order = VideoOrder.From(g) with { Priority = order.Priority, RequireApproval = order.RequireApproval, VisualBackend = order.VisualBackend };
        }
        // The checks the API makes before a job exists (the job checks again).
        ViraLoop.Media.Pipeline.Steps.VideoChoices.For(order.ToRequest());
        return VideoViews.Of(await _videos.SubmitAsync(order, idempotencyKey));
    }

    public async Task<VideoView> GetAsync(string id, CancellationToken ct) => VideoViews.Of(await _videos.GetAsync(Checked(id)));

    public async Task<VideoPage> ListAsync(string? status, int limit, string? cursor, CancellationToken ct)
    {
        var offset = cursor is null ? 0 : int.TryParse(cursor, out var o) && o >= 0 ? o : throw new CliException("--cursor: use the next cursor the previous page printed.", CliApp.BadInput);
        var names = Enum.GetValues<JobStatus>().Select(s => s.Name()).ToList();
        if (status is not null && !names.Contains(status)) throw new CliException($"--status: one of {string.Join(", ", names)}.", CliApp.BadInput);
        var page = await _videos.ListPageAsync(status is null ? null : Enum.GetValues<JobStatus>().First(s => s.Name() == status), limit, offset);
        return new VideoPage(page.Jobs.Select(VideoViews.Of).ToList(), page.NextOffset?.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Total);
    }

    public async Task<Script> GetScriptAsync(string id, CancellationToken ct) =>
        await _videos.GetScriptAsync(Checked(id)) ?? throw new ViraLoopApiException(409, "conflict", "The request conflicts with the video's state.", "The script is not written yet.");

    public async Task<VideoView> ApproveAsync(string id, CancellationToken ct) => VideoViews.Of(await _videos.ApproveAsync(Checked(id)));
    public async Task<VideoView> RejectAsync(string id, string reason, CancellationToken ct) => VideoViews.Of(await _videos.RejectAsync(Checked(id), reason));
    public async Task<VideoView> CancelAsync(string id, string? reason, CancellationToken ct) => VideoViews.Of(await _videos.CancelAsync(Checked(id), reason));

    public async IAsyncEnumerable<LiveEvent> WatchAsync(string id, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in JobAccess.WatchAsync(client.Cluster, tenant, Checked(id), 0, ct))
        {
            if (item.Snapshot is { } s) yield return new LiveEvent("snapshot", item.Sequence, VideoViews.Of(s), null);
            if (item.Event is { } e) yield return new LiveEvent("progress", e.Sequence, null, VideoViews.Of(id, e));
        }
    }

    public async Task DownloadAsync(string id, string file, Stream to, CancellationToken ct)
    {
        var snapshot = await _videos.GetAsync(Checked(id));
        string? Output(string name) => snapshot.Outputs.TryGetValue(name, out var k) ? k : null;
        var key = file switch
        {
            "video.mp4" => Output("video"),
            "thumbnail.jpg" => Output("thumbnail"),
            "captions.ass" => Output("captions"),
            "manifest.json" => Output("manifest"),
            _ when file.StartsWith("hls/", StringComparison.Ordinal) && Output("hls") is { } playlist => playlist[..(playlist.LastIndexOf('/') + 1)] + file[4..],
            _ => null,
        };
        var blob = key is null ? null : await blobs.GetAsync(key, ct);
        if (blob is null) throw new ViraLoopApiException(404, "not-ready", "Not there yet.", "This file does not exist (yet) for this video.");
        await using var from = await blobs.OpenReadAsync(blob, ct);
        await from.CopyToAsync(to, ct);
    }

    public Task<TenantUsage> GetUsageAsync(CancellationToken ct) => _videos.GetUsageAsync();

    public async Task<SimilarVideosView> FindSimilarAsync(string id, int k, CancellationToken ct) =>
        new(id, k, (await _videos.FindSimilarAsync(Checked(id), k)).Select(VideoViews.Similar).ToList());

    /// <summary>A malformed id is "not found", as the API answers it.</summary>
    private static string Checked(string id) => VideoIds.IsValid(id) ? id : throw new KeyNotFoundException(id);

    public ValueTask DisposeAsync() => client.DisposeAsync();
}

/// <summary>An error the command prints as one line and exits with.</summary>
internal sealed class CliException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
