using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using ViraLoop.Contracts;
using ViraLoop.Media;

namespace ViraLoop.Cli;

/// <summary>
/// <c>viraloop videos …</c> (<c>similar</c> among them) and <c>viraloop usage</c>: one tenant's videos on a running cluster, over the HTTP SDK
/// (<c>--api</c>, <c>--key</c>) or the grain client SDK (<c>--cluster</c>, <c>--tenant</c>).
/// </summary>
internal static class VideoCommands
{
    public const string ExitCodes = "Exit codes: 0 done (or waiting for approval), 1 the video failed, was cancelled or rejected, the API is unreachable or answered 429/5xx, "
        + "2 bad input or an API refusal (400, 401, 403, 404, 409, 422), 3 a tool is missing.";

    internal static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Videos()
    {
        var remote = new RemoteOptions();
        var videos = new Command("videos", $"A tenant's videos on a running cluster (HTTP: --api/--key; grain client: --cluster/--tenant). {ExitCodes}")
        {
            Submit(remote), Get(remote), List(remote), Watch(remote), ScriptCommand(remote), Approve(remote), Reject(remote), Cancel(remote), Download(remote),
            Similar(remote),
        };
        remote.AddTo(videos);
        return videos;
    }

    public static Command Usage()
    {
        var remote = new RemoteOptions();
        var usage = new Command("usage", $"The tenant's usage today and this month, and its plan. {AdminCommands.ExitCodes}");
        remote.AddTo(usage);
        usage.SetAction((parse, ct) => Run(parse, remote, ct, async r =>
        {
            var u = await r.GetUsageAsync(ct);
            if (parse.GetValue(remote.Json)) return PrintJson(u);
            var t = new Table().AddColumn("").AddColumn("");
            t.AddRow("videos today", $"{u.VideosToday} of {u.Plan.VideosPerDay} ({u.Day})");
            t.AddRow("rendered this month", $"{Num(u.SecondsThisMonth)} s of {Num(u.Plan.RenderedSecondsPerMonth)} s ({u.Month})");
            t.AddRow("plan", Markup.Escape($"{u.Plan.Name}: priority up to {u.Plan.PriorityCeiling}, weight {Num(u.Plan.Weight)}, {u.Plan.RequestsPerMinute} requests/min"));
            AnsiConsole.Write(t);
            return CliApp.Ok;
        }));
        return usage;
    }

    private static Argument<string> IdArgument() => new("id") { Description = "The video's id (v…)" };

    private static Command Submit(RemoteOptions remote)
    {
        var topic = new Option<string>("--topic", "-t") { Description = "What the video is about", Required = true };
        var text = new Option<FileInfo?>("--text") { Description = "A file with the narration to speak as written" };
        var scenes = new Option<FileInfo?>("--scenes") { Description = "A JSON scene list: [{\"text\": …, \"keywords\": […], \"duration\": 5}]" };
        var lang = new Option<string?>("--lang", "-l") { Description = "Language: a code or a name (en, es, ar, hi, zh, Arabic…); `viraloop languages` lists them" };
        var duration = new Option<double?>("--duration", "-d") { Description = "Length in seconds (5–180)" };
        var style = new Option<string?>("--style", "-s") { Description = "auto, gradient, particles, geometric, kinetic or zoom" };
        var palette = new Option<string?>("--palette") { Description = "sunset, ocean, neon, forest or mono" };
        var music = new Option<string?>("--music", "--mood") { Description = "Music mood: upbeat, calm, dramatic or playful" };
        var hook = new Option<string?>("--hook") { Description = "question, bold-claim, number, story or contrarian" };
        var (pacing, captions, voice, thumbnail, titleTemplate, genome) = CliApp.GeneOptions();
        var preview = new Option<bool>("--preview") { Description = "A small, fast render (540x960)" };
        var seed = new Option<int?>("--seed") { Description = "Seed for repeatable choices" };
        var priority = new Option<string?>("--priority") { Description = "high, standard or low (at most the plan's ceiling)" };
        var visuals = new Option<string?>("--visuals") { Description = "Visual backend: procedural, openai-image or runway (default: the cluster's)" };
        var approval = new Option<bool>("--approval") { Description = "Stop after the script until `videos approve` or `videos reject`" };
        var idempotency = new Option<string?>("--idempotency-key") { Description = "A retry with the same key answers the same video" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Follow the video with a progress bar until it ends (or waits for approval)" };
        var c = new Command("submit", $"Submit a video. {ExitCodes}")
        {
            topic, text, scenes, lang, duration, style, palette, music, hook, pacing, captions, voice, thumbnail, titleTemplate, genome, preview, seed, priority,
            visuals, approval, idempotency, wait,
        };
        c.SetAction((parse, ct) => Run(parse, remote, ct, async r =>
        {
            var body = new CreateVideoBody
            {
                Topic = parse.GetValue(topic),
                Text = parse.GetValue(text) is { } tf ? await ReadInputAsync(tf, ct) : null,
                Scenes = parse.GetValue(scenes) is { } sf
                    ? CliApp.ParseScenes(await ReadInputAsync(sf, ct), sf.FullName)
                        .Select(s => new SceneBody { Text = s.Text, Keywords = s.Keywords?.ToList(), Visual = s.Visual, Duration = s.Duration }).ToList()
                    : null,
                Language = parse.GetValue(lang),
                DurationSeconds = parse.GetValue(duration),
                Style = parse.GetValue(style),
                Palette = parse.GetValue(palette),
                Music = parse.GetValue(music),
                Hook = parse.GetValue(hook),
                Pacing = parse.GetValue(pacing),
                Captions = parse.GetValue(captions),
                Voice = parse.GetValue(voice),
                Thumbnail = parse.GetValue(thumbnail),
                TitleTemplate = parse.GetValue(titleTemplate),
                Genome = parse.GetValue(genome) is { } genes ? ViraLoop.Media.Pipeline.CreativeGenes.Parse(genes) : null,
                Preview = parse.GetValue(preview) ? true : null,
                Seed = parse.GetValue(seed),
                Priority = parse.GetValue(priority),
                RequireApproval = parse.GetValue(approval) ? true : null,
                VisualBackend = parse.GetValue(visuals),
            };
            var video = await r.SubmitAsync(body, parse.GetValue(idempotency), ct);
            var json = parse.GetValue(remote.Json);
            if (!parse.GetValue(wait))
            {
                if (json) return PrintJson(video);
                Console.WriteLine($"submitted {video.Id} ({video.Status})");
                Console.Error.WriteLine($"follow it with: viraloop videos watch {video.Id}");
                return CliApp.Ok;
            }
            if (!json) Console.Error.WriteLine($"submitted {video.Id}");
            return await FollowAsync(r, video.Id, json, ct);
        }));
        return c;
    }

    private static Command Get(RemoteOptions remote)
    {
        var id = IdArgument();
        var c = new Command("get", $"One video: its state, scenes and files. {ExitCodes}") { id };
        c.SetAction((parse, ct) => Run(parse, remote, ct, async r =>
        {
            var v = await r.GetAsync(parse.GetValue(id)!, ct);
            if (parse.GetValue(remote.Json)) return PrintJson(v);
            var t = new Table().AddColumn(new TableColumn("").NoWrap()).AddColumn(new TableColumn(""));
            t.AddRow("id", v.Id);
            t.AddRow("status", $"{v.Status} ({Num(v.Percent)} %){(v.Step is null ? "" : $", {v.Step}")}");
            if (v.Title is not null) t.AddRow("title", Markup.Escape(v.Title));
            if (v.Error is not null) t.AddRow("error", Markup.Escape(v.Error));
            t.AddRow("scenes", $"{v.Scenes.Count(s => s.Status == "ready")} of {v.Scenes.Count} ready");
            t.AddRow("created", v.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
            t.AddRow("updated", v.UpdatedAt.ToString("u", CultureInfo.InvariantCulture));
            if (v.NearDuplicate is { } nd) t.AddRow("warning", $"near duplicate of {nd.Id} (DNA similarity {Num3(nd.Similarity)})");
            foreach (var (name, link) in v.Links) t.AddRow(name, Markup.Escape(link));
            AnsiConsole.Write(t);
            return CliApp.Ok;
        }));
        return c;
    }

    private static Command Similar(RemoteOptions remote)
    {
        var id = IdArgument();
        var k = new Option<int>("--k") { Description = $"How many videos (1–{ViraLoop.Grains.DnaLimits.MaxSimilar})", DefaultValueFactory = _ => ViraLoop.Grains.DnaLimits.DefaultSimilar };
        var c = new Command("similar", $"The tenant's videos most like this one by their DNA (picture, motion, sound, words), most similar first; the video must be finished. {ExitCodes}") { id, k };
        c.SetAction((parse, ct) => Run(parse, remote, ct, async r =>
        {
            var count = parse.GetValue(k);
            if (count is < 1 or > ViraLoop.Grains.DnaLimits.MaxSimilar) throw new CliException($"--k: between 1 and {ViraLoop.Grains.DnaLimits.MaxSimilar}.", CliApp.BadInput);
            var similar = await r.FindSimilarAsync(parse.GetValue(id)!, count, ct);
            if (parse.GetValue(remote.Json)) return PrintJson(similar);
            var t = new Table().AddColumn(new TableColumn("id").NoWrap()).AddColumn(new TableColumn("similarity").NoWrap())
                .AddColumn("colour").AddColumn("motion").AddColumn("audio").AddColumn("script");
            foreach (var v in similar.Items) t.AddRow(v.Id, Num3(v.Similarity), Num3(v.Colour), Num3(v.Motion), Num3(v.Audio), Num3(v.Script));
            AnsiConsole.Write(t);
            Console.WriteLine(similar.Items.Count == 0 ? "no other video of this tenant has DNA yet" : $"{similar.Items.Count} shown");
            return CliApp.Ok;
        }));
        return c;
    }

    private static Command List(RemoteOptions remote)
    {
        var status = new Option<string?>("--status") { Description = "Only videos in this state (accepted, scripting, awaiting-approval, scenes, assembly, packaging, completed, failed, cancelled)" };
        var limit = new Option<int>("--limit") { Description = "Videos a page (1–100)", DefaultValueFactory = _ => 20 };
        var cursor = new Option<string?>("--cursor") { Description = "The next page: the cursor the previous page printed" };
        var c = new Command("list", $"The tenant's videos, newest first, a page at a time. {ExitCodes}") { status, limit, cursor };
        c.SetAction((parse, ct) => Run(parse, remote, ct, async r =>
        {
            var size = parse.GetValue(limit);
            if (size is < 1 or > 100) throw new CliException("--limit: between 1 and 100.", CliApp.BadInput);
            var page = await r.ListAsync(parse.GetValue(status)?.Trim().ToLowerInvariant(), size, parse.GetValue(cursor), ct);
            if (parse.GetValue(remote.Json)) return PrintJson(page);
            // Ids, states and times never wrap (an id is copied from here); titles do when the terminal is narrow.
            var t = new Table().AddColumn(new TableColumn("id").NoWrap()).AddColumn(new TableColumn("status").NoWrap()).AddColumn(new TableColumn("%").NoWrap())
                .AddColumn("title").AddColumn(new TableColumn("created").NoWrap());
            foreach (var v in page.Items)
                t.AddRow(v.Id, v.Status, Num(v.Percent), Markup.Escape(v.Title ?? ""), v.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
            AnsiConsole.Write(t);
            Console.WriteLine(page.NextCursor is null
                ? $"{page.Items.Count} shown, {page.Total} in all"
                : $"{page.Items.Count} shown, {page.Total} in all; next page: --cursor {page.NextCursor}");
            return CliApp.Ok;
        }));
        return c;
    }

    private static Command Watch(RemoteOptions remote)
    {
        var id = IdArgument();
        var c = new Command("watch", $"Follow a video with a progress bar (plain lines when not on a terminal) until it ends or waits for approval. {ExitCodes}") { id };
        c.SetAction((parse, ct) => Run(parse, remote, ct, r => FollowAsync(r, parse.GetValue(id)!, parse.GetValue(remote.Json), ct)));
        return c;
    }

    private static Command ScriptCommand(RemoteOptions remote)
    {
        var id = IdArgument();
        var c = new Command("script", $"The video's script (once written). {ExitCodes}") { id };
        c.SetAction((parse, ct) => Run(parse, remote, ct, async r =>
        {
            var s = await r.GetScriptAsync(parse.GetValue(id)!, ct);
            if (parse.GetValue(remote.Json)) return PrintJson(s);
            Console.WriteLine($"{s.Title} ({s.Language}, hook: {s.HookType}, writer: {s.Writer})");
            var i = 0;
            foreach (var scene in s.Scenes) Console.WriteLine($"{++i,3}. {scene.Narration}");
            return CliApp.Ok;
        }));
        return c;
    }

    private static Command Approve(RemoteOptions remote)
    {
        var id = IdArgument();
        var wait = new Option<bool>("--wait", "-w") { Description = "Follow the video until it ends" };
        var c = new Command("approve", $"Approve a video's script (it must be awaiting approval). {ExitCodes}") { id, wait };
        c.SetAction((parse, ct) => Run(parse, remote, ct, async r =>
            await Changed(parse, remote, r, await r.ApproveAsync(parse.GetValue(id)!, ct), parse.GetValue(wait), ct)));
        return c;
    }

    private static Command Reject(RemoteOptions remote)
    {
        var id = IdArgument();
        var reason = new Option<string>("--reason") { Description = "Why (required)", Required = true };
        var c = new Command("reject", $"Reject a video's script; the video ends as cancelled. {ExitCodes}") { id, reason };
        c.SetAction((parse, ct) => Run(parse, remote, ct, async r =>
            await Changed(parse, remote, r, await r.RejectAsync(parse.GetValue(id)!, parse.GetValue(reason)!, ct), false, ct)));
        return c;
    }

    private static Command Cancel(RemoteOptions remote)
    {
        var id = IdArgument();
        var reason = new Option<string?>("--reason") { Description = "Why" };
        var c = new Command("cancel", $"Cancel a video. {ExitCodes}") { id, reason };
        c.SetAction((parse, ct) => Run(parse, remote, ct, async r =>
            await Changed(parse, remote, r, await r.CancelAsync(parse.GetValue(id)!, parse.GetValue(reason), ct), false, ct)));
        return c;
    }

    private static async Task<int> Changed(ParseResult parse, RemoteOptions remote, IVideoRemote r, VideoView v, bool wait, CancellationToken ct)
    {
        if (wait) return await FollowAsync(r, v.Id, parse.GetValue(remote.Json), ct);
        if (parse.GetValue(remote.Json)) return PrintJson(v);
        Console.WriteLine($"{v.Id}: {v.Status}{(v.Error is null ? "" : $" ({v.Error})")}");
        return CliApp.Ok;
    }

    private static readonly string[] Whats = ["video", "thumbnail", "captions", "manifest", "hls", "all"];

    private static Command Download(RemoteOptions remote)
    {
        var id = IdArgument();
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Directory to write to", DefaultValueFactory = _ => new DirectoryInfo("out") };
        var what = new Option<string>("--what") { Description = "video, thumbnail, captions, manifest, hls or all", DefaultValueFactory = _ => "video" };
        what.AcceptOnlyFromAmong(Whats);
        var c = new Command("download", $"Download a finished video's files. {ExitCodes}") { id, output, what };
        c.SetAction((parse, ct) => Run(parse, remote, ct, async r =>
        {
            var videoId = parse.GetValue(id)!;
            var dir = parse.GetValue(output)!.FullName;
            var w = parse.GetValue(what)!;
            try { Directory.CreateDirectory(dir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliException($"Cannot write to {dir}: {e.Message}", CliApp.BadInput); }
            var files = new List<string>();
            async Task Fetch(string file)
            {
                var target = Path.Combine(dir, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var part = target + ".part";
                try
                {
                    await using (var to = File.Create(part)) await r.DownloadAsync(videoId, file, to, ct);
                    File.Move(part, target, overwrite: true);
                }
                finally { File.Delete(part); }
                files.Add(target);
            }
            foreach (var (name, file) in new[] { ("video", "video.mp4"), ("thumbnail", "thumbnail.jpg"), ("captions", "captions.ass"), ("manifest", "manifest.json") })
                if (w == name || w == "all") await Fetch(file);
            if (w is "hls" or "all")
            {
                using var playlist = new MemoryStream();
                await r.DownloadAsync(videoId, "hls/" + ViraLoop.Media.Pipeline.Steps.HlsStep.PlaylistFile, playlist, ct);
                var text = System.Text.Encoding.UTF8.GetString(playlist.ToArray());
                foreach (var f in ViraLoop.Media.Pipeline.Steps.HlsStep.PlaylistFiles(text)) await Fetch("hls/" + f);
                await Fetch("hls/" + ViraLoop.Media.Pipeline.Steps.HlsStep.PlaylistFile);
            }
            if (parse.GetValue(remote.Json)) return PrintJson(new { id = videoId, files });
            foreach (var f in files) Console.WriteLine(f);
            return CliApp.Ok;
        }));
        return c;
    }

    /// <summary>
    /// Follows a video's live feed until its final event (or until it waits for approval): a Spectre.Console progress bar on a
    /// terminal, plain lines on stderr otherwise; then the result. 0 completed or awaiting approval, 1 failed or cancelled.
    /// </summary>
    internal static async Task<int> FollowAsync(IVideoRemote r, string id, bool json, CancellationToken ct)
    {
        var start = await r.GetAsync(id, ct); // a wrong key or id fails here, at once, with the API's answer
        var state = new FeedState(start);
        if (!state.Stops)
        {
            if (!json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask(Markup.Escape(state.Describe()), maxValue: 100);
                        await foreach (var e in r.WatchAsync(id, ct))
                        {
                            state.Apply(e);
                            task.Description = Markup.Escape(state.Describe());
                            task.Value = Math.Max(task.Value, state.Percent);
                            if (state.Stops) break;
                        }
                        if (state.Status == "completed") task.Value = 100;
                        task.StopTask();
                    });
            }
            else
            {
                var last = "";
                var lastPercent = -100.0;
                void Line()
                {
                    var line = state.Describe();
                    if (line == last && state.Percent - lastPercent < 10) return;
                    Console.Error.WriteLine($"[{Num(state.Percent),5} %] {line}");
                    last = line;
                    lastPercent = state.Percent;
                }
                Line();
                await foreach (var e in r.WatchAsync(id, ct))
                {
                    state.Apply(e);
                    Line();
                    if (state.Stops) break;
                }
            }
        }
        var v = await r.GetAsync(id, ct);
        if (json) PrintJson(v);
        switch (v.Status)
        {
            case "completed":
                if (!json)
                {
                    Console.WriteLine($"{v.Id} completed: {v.Title}");
                    Console.WriteLine($"download it with: viraloop videos download {v.Id} --out DIR");
                }
                return CliApp.Ok;
            case "awaiting-approval":
                if (!json)
                {
                    Console.WriteLine($"{v.Id} awaiting-approval: the script is written ({v.Title})");
                    Console.WriteLine($"read it with `viraloop videos script {v.Id}`, then `viraloop videos approve {v.Id} --wait` or `viraloop videos reject {v.Id} --reason …`");
                }
                return CliApp.Ok;
            case "rejected":
                Console.Error.WriteLine($"error: video {v.Id} rejected: {v.Error ?? "the content policy refuses it"}");
                return CliApp.BadInput;
            case "failed" or "cancelled":
                Console.Error.WriteLine($"error: video {v.Id} {v.Status}: {v.Error ?? "no reason given"}");
                return CliApp.Failed;
            default:
                Console.Error.WriteLine($"error: the live feed of {v.Id} ended while it is {v.Status}; follow it again with `viraloop videos watch {v.Id}`.");
                return CliApp.Failed;
        }
    }

    /// <summary>What the live feed has said so far: state, percent, step, scenes ready.</summary>
    private sealed class FeedState(VideoView start)
    {
        private readonly Dictionary<int, string> _scenes = start.Scenes.ToDictionary(s => s.Index, s => s.Status);
        public string Status { get; private set; } = start.Status;
        public double Percent { get; private set; } = start.Percent;
        private string? _step = start.Step;

        public bool Stops => Status is "completed" or "failed" or "cancelled" or "rejected" or "awaiting-approval";

        /// <summary>The newest event the last snapshot already includes: the feed replays the job's held events after it, older ones too.</summary>
        private long _asOf = -1;

        public void Apply(LiveEvent e)
        {
            if (e.Snapshot is { } s)
            {
                _asOf = Math.Max(_asOf, e.Sequence);
                Status = s.Status;
                Percent = Math.Max(Percent, s.Percent);
                _step = s.Step;
                foreach (var scene in s.Scenes) _scenes[scene.Index] = scene.Status;
            }
            if (e.Progress is { } p && p.Sequence > _asOf)
            {
                Status = p.Status;
                Percent = Math.Max(Percent, p.Percent);
                _step = p.Step;
                if (p.Scene is { } scene) _scenes[scene.Index] = scene.Status;
            }
        }

        public string Describe()
        {
            var parts = new List<string> { Status };
            if (_step is not null) parts.Add(_step);
            if (_scenes.Count > 0) parts.Add($"scenes {_scenes.Values.Count(s => s == "ready")}/{_scenes.Count}");
            return string.Join(" · ", parts);
        }
    }

    private static async Task<string> ReadInputAsync(FileInfo f, CancellationToken ct)
    {
        if (!f.Exists) throw new CliException($"File not found: {f.FullName}", CliApp.BadInput);
        if (f.Length > 1_000_000) throw new CliException($"{f.FullName} is larger than 1 MB.", CliApp.BadInput);
        return await File.ReadAllTextAsync(f.FullName, ct);
    }

    internal static int PrintJson<T>(T value)
    {
        Console.WriteLine(JsonSerializer.Serialize(value, JsonOut));
        return CliApp.Ok;
    }

    internal static string Num(double d) => d.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Num3(double d) => d.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Opens the remote, runs the command, and turns every error into one line and an exit code.</summary>
    private static async Task<int> Run(ParseResult parse, RemoteOptions remote, CancellationToken ct, Func<IVideoRemote, Task<int>> body)
    {
        IVideoRemote? r = null;
        try
        {
            r = await remote.OpenAsync(parse, ct);
            return await body(r);
        }
        catch (Exception e)
        {
            return CliErrors.Report(e, r?.Where ?? (parse.GetValue(remote.Cluster) ? "the cluster" : parse.GetValue(remote.Api) ?? "the API"));
        }
        finally
        {
            if (r is not null)
            {
                try { await r.DisposeAsync(); }
                catch (Exception) { } // closing a client that could not connect says nothing new
            }
        }
    }
}
