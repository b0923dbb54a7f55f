using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using ViraLoop.Client;
using ViraLoop.Contracts;

namespace ViraLoop.Cli;

/// <summary>
/// <c>viraloop experiments …</c>, <c>viraloop metrics …</c> and <c>viraloop simulate</c>: the optimisation loop of one tenant
/// over the HTTP API (<c>--api</c>, <c>--key</c>).
/// </summary>
internal static class ExperimentCommands
{
    public const string ExitCodes = "Exit codes: 0 done, 1 the API is unreachable or failed (429/5xx), 2 bad input or an API refusal (400, 401, 403, 404, 409).";

    public static Command Experiments()
    {
        var remote = new RemoteOptions();
        var c = new Command("experiments", $"A tenant's experiments: arms (genomes), their posteriors and allocations. {ExitCodes}")
        {
            Create(remote), List(remote), Get(remote), Refresh(remote),
        };
        remote.AddTo(c);
        return c;
    }

    public static Command Metrics()
    {
        var remote = new RemoteOptions();
        var c = new Command("metrics", $"Engagement in: events, or a platform's report. {ExitCodes}") { Send(remote), Import(remote) };
        remote.AddTo(c);
        return c;
    }

    private static Argument<string> IdArgument() => new("id") { Description = "The experiment's id" };

    private static Command Create(RemoteOptions remote)
    {
        var name = new Option<string>("--name") { Description = "A name (the id is made from it unless --id)", Required = true };
        var id = new Option<string?>("--id") { Description = "The id: 1–64 of a–z, 0–9 and '-'" };
        var arms = new Option<int?>("--arms") { Description = "Candidate arms besides the control (2–32, default 8)" };
        var objective = new Option<string?>("--objective") { Description = "ctr (clicks per impression, default) or completion (completed views per view)" };
        var control = new Option<string?>("--control") { Description = "The control's genes, e.g. \"hook=question;mood=calm\" (the rest: the pipeline's defaults)" };
        var share = new Option<double?>("--control-share") { Description = "Share of videos held out for the control (0–0.5, default 0.1)" };
        var min = new Option<long?>("--min-exposures") { Description = "Exposures before an arm is judged (default 500)" };
        var seed = new Option<int?>("--seed") { Description = "Seed for the first generation and breeding" };
        var c = new Command("create", $"Make an experiment: a control and a first generation of random genomes. {ExitCodes}") { name, id, arms, objective, control, share, min, seed };
        c.SetAction((parse, ct) => Run(parse, remote, async http =>
        {
            var genes = parse.GetValue(control) is { } text ? ViraLoop.Media.Pipeline.CreativeGenes.Parse(text) : null;
            var view = await http.CreateExperimentAsync(new CreateExperimentBody
            {
                Name = parse.GetValue(name), Id = parse.GetValue(id), Arms = parse.GetValue(arms), Objective = parse.GetValue(objective), Control = genes,
                ControlShare = parse.GetValue(share), MinExposures = parse.GetValue(min), Seed = parse.GetValue(seed),
            }, ct);
            return parse.GetValue(remote.Json) ? VideoCommands.PrintJson(view) : Print(view);
        }));
        return c;
    }

    private static Command List(RemoteOptions remote)
    {
        var c = new Command("list", $"The tenant's experiments. {ExitCodes}");
        c.SetAction((parse, ct) => Run(parse, remote, async http =>
        {
            var list = await http.ListExperimentsAsync(ct);
            if (parse.GetValue(remote.Json)) return VideoCommands.PrintJson(list);
            if (list.Items.Count == 0) { Console.WriteLine("No experiments yet: `viraloop experiments create --name NAME`."); return CliApp.Ok; }
            var t = new Table().AddColumn("id").AddColumn("name").AddColumn("created");
            foreach (var e in list.Items) t.AddRow(Markup.Escape(e.Id), Markup.Escape(e.Name), e.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
            AnsiConsole.Write(t);
            return CliApp.Ok;
        }));
        return c;
    }

    private static Command Get(RemoteOptions remote)
    {
        var id = IdArgument();
        var all = new Option<bool>("--all") { Description = "List the retired arms too" };
        var c = new Command("get", $"An experiment: its live arms, their genes, evidence and chance of being best. {ExitCodes}") { id, all };
        c.SetAction((parse, ct) => Run(parse, remote, async http =>
        {
            var view = await http.GetExperimentAsync(parse.GetValue(id)!, ct);
            return parse.GetValue(remote.Json) ? VideoCommands.PrintJson(view) : Print(view, parse.GetValue(all));
        }));
        return c;
    }

    private static Command Refresh(RemoteOptions remote)
    {
        var id = IdArgument();
        var c = new Command("refresh", $"Read the arms' totals now, retire the weak and breed replacements. {ExitCodes}") { id };
        c.SetAction((parse, ct) => Run(parse, remote, async http =>
        {
            var view = await http.RefreshExperimentAsync(parse.GetValue(id)!, ct);
            return parse.GetValue(remote.Json) ? VideoCommands.PrintJson(view) : Print(view);
        }));
        return c;
    }

    private static Command Send(RemoteOptions remote)
    {
        var file = new Argument<FileInfo>("file") { Description = "A JSON file: {\"events\": [{\"id\", \"videoId\", \"kind\", \"value\", \"at\", \"platform\"}, …]} or the array alone" };
        var c = new Command("send", $"Send engagement events (idempotent by event id; any size, sent 10,000 at a time). {ExitCodes}") { file };
        c.SetAction((parse, ct) => Run(parse, remote, async http =>
        {
            var events = await ReadEventsAsync(parse.GetValue(file)!, ct);
            var (accepted, durable, experiments) = (0, true, new SortedSet<string>(StringComparer.Ordinal));
            foreach (var chunk in events.Chunk(10_000))
            {
                var a = await http.PostMetricsAsync(new MetricsBatchBody { Events = chunk.ToList() }, ct);
                (accepted, durable) = (accepted + a.Accepted, durable && a.Durable);
                experiments.UnionWith(a.Experiments);
            }
            var result = new MetricsAccepted(accepted, durable, experiments.ToList());
            if (parse.GetValue(remote.Json)) return VideoCommands.PrintJson(result);
            Console.WriteLine($"{accepted:N0} events taken{(durable ? "" : " (buffered: the analytics store is slow or down; they will be written)")}; experiments: {(experiments.Count == 0 ? "none" : string.Join(", ", experiments))}.");
            return CliApp.Ok;
        }));
        return c;
    }

    private static Command Import(RemoteOptions remote)
    {
        var platform = new Argument<string>("platform") { Description = "youtube, tiktok or instagram" };
        var report = new Option<FileInfo>("--report") { Description = "The vendor's JSON response, as it came", Required = true };
        var map = new Option<string[]>("--video") { Description = "PLATFORM_ID=OUR_VIDEO_ID, once per video (others in the report are skipped)", Required = true, AllowMultipleArgumentsPerToken = true };
        var day = new Option<string?>("--day") { Description = "yyyy-MM-dd: the day a lifetime report counts for (send the same day on every pull)" };
        var c = new Command("import", $"Import a platform's analytics report for some of our videos. {ExitCodes}") { platform, report, map, day };
        c.SetAction((parse, ct) => Run(parse, remote, async http =>
        {
            var videos = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(map) ?? [])
            {
                var eq = pair.IndexOf('=');
                if (eq <= 0 || eq == pair.Length - 1) throw new CliException($"--video '{pair}': give PLATFORM_ID=OUR_VIDEO_ID.", CliApp.BadInput);
                videos[pair[..eq]] = pair[(eq + 1)..];
            }
            var f = parse.GetValue(report)!;
            if (!f.Exists) throw new CliException($"--report: no file {f.FullName}.", CliApp.BadInput);
            JsonElement json;
            try { json = JsonDocument.Parse(await File.ReadAllTextAsync(f.FullName, ct)).RootElement.Clone(); }
            catch (JsonException e) { throw new CliException($"--report: {f.Name} is not JSON ({e.Message}).", CliApp.BadInput); }
            var a = await http.PostPlatformReportAsync(parse.GetValue(platform)!, new PlatformReportBody { Videos = videos, Day = parse.GetValue(day), Report = json }, ct);
            if (parse.GetValue(remote.Json)) return VideoCommands.PrintJson(a);
            Console.WriteLine($"{a.Accepted:N0} events from the report{(a.Durable ? "" : " (buffered)")}; experiments: {(a.Experiments.Count == 0 ? "none" : string.Join(", ", a.Experiments))}"
                + (a.Unmapped is { Count: > 0 } u ? $"; skipped platform videos not mapped: {string.Join(", ", u)}." : "."));
            return CliApp.Ok;
        }));
        return c;
    }

    public static Command Simulate()
    {
        var remote = new RemoteOptions();
        var experiment = new Option<string>("--experiment") { Description = "The experiment to make or continue (default: simulated)", DefaultValueFactory = _ => "simulated" };
        var arms = new Option<int>("--arms") { Description = "Arms besides the control", DefaultValueFactory = _ => 8 };
        var objective = new Option<string>("--objective") { Description = "ctr or completion", DefaultValueFactory = _ => "ctr" };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of videos and viewers", DefaultValueFactory = _ => 8 };
        var videos = new Option<int>("--videos") { Description = "Videos per round", DefaultValueFactory = _ => 16 };
        var impressions = new Option<int>("--impressions") { Description = "Simulated viewers per video", DefaultValueFactory = _ => 400 };
        var min = new Option<long>("--min-exposures") { Description = "Exposures before an arm is judged", DefaultValueFactory = _ => 1_500 };
        var render = new Option<int>("--render") { Description = "How many of the first round's videos to really make (the rest are allocated only)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed, the same run", DefaultValueFactory = _ => 1 };
        var c = new Command("simulate", "Drive the optimisation loop offline through the API: videos allocated by the experiment, simulated viewers with hidden "
            + $"per-gene tastes, their events posted to /v1/metrics; prints each round and how the bred arms compare. {ExitCodes}")
        {
            experiment, arms, objective, rounds, videos, impressions, min, render, seed,
        };
        remote.AddTo(c);
        c.SetAction((parse, ct) => Run(parse, remote, async http =>
        {
            var json = parse.GetValue(remote.Json);
            var options = new SimulationOptions
            {
                Experiment = parse.GetValue(experiment)!, Arms = parse.GetValue(arms), Objective = parse.GetValue(objective)!, Rounds = parse.GetValue(rounds),
                VideosPerRound = parse.GetValue(videos), ImpressionsPerVideo = parse.GetValue(impressions), MinExposures = parse.GetValue(min),
                Render = parse.GetValue(render), Seed = parse.GetValue(seed),
            };
            try { options.Validate(); }
            catch (ArgumentException e) { throw new CliException(e.Message, CliApp.BadInput); }
            var report = await new LoopSimulation(http, options).RunAsync(r =>
            {
                if (!json) Console.WriteLine(LoopSimulation.Describe(r));
                return Task.CompletedTask;
            }, ct);
            if (json) return VideoCommands.PrintJson(report);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"true rate of the first generation's arms {report.FirstGenerationRate:P2}, of the arms bred later {report.LaterGenerationsRate:P2}; best possible {report.BestPossibleRate:P2}"));
            Console.WriteLine($"{report.EventsSent:N0} events sent ({report.DistinctEvents:N0} distinct; the rest re-deliveries). Dashboard: {RemoteOptions.ApiUrl(parse.GetValue(remote.Api))}ops");
            return CliApp.Ok;
        }));
        return c;
    }

    /// <summary>
    /// Plain aligned columns, the genes last (long lines wrap at the genes, not through the numbers); retired arms only with
    /// <paramref name="all"/>.
    /// </summary>
    private static int Print(ExperimentView e, bool all = false)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"{e.Name} ({e.Id}): objective {e.Objective}, generation {e.Generation}, {e.Videos:N0} videos, leader {e.Leader ?? "none yet"}");
        var control = e.Arms.FirstOrDefault(a => a.Control)?.Genome;
        var shown = e.Arms.Where(a => all || a.RetiredAt is null).ToList();
        var rows = shown.Select(a => new[]
        {
            a.Id + (a.Id == e.Leader ? " *" : a.RetiredAt is { } r ? $" (retired in {r})" : ""),
            a.Generation.ToString(inv),
            a.Videos.ToString("N0", inv),
            a.Exposures.ToString("N0", inv),
            string.Create(inv, $"{a.Posterior.Mean:P2} ({a.Posterior.Low:P1} to {a.Posterior.High:P1})"),
            a.ProbabilityBest.ToString("0.00", inv),
            a.Control ? "(control) " + string.Join(" ", a.Genome.Select(g => $"{g.Key}={g.Value}"))
                : string.Join(" ", a.Genome.Where(g => control?.GetValueOrDefault(g.Key) != g.Value).Select(g => $"{g.Key}={g.Value}")),
        }).Prepend(["arm", "gen", "videos", "exposures", "rate (95% interval)", "P(best)", "genes unlike the control"]).ToList();
        var widths = Enumerable.Range(0, 6).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var r in rows)
            Console.WriteLine(string.Join("  ", r.Take(6).Select((cell, c) => c is 1 or 2 or 3 or 5 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))) + "  " + r[6]);
        if (!all && shown.Count < e.Arms.Count) Console.WriteLine($"({e.Arms.Count - shown.Count} retired arms not shown; --all shows them. * marks the leader.)");
        return CliApp.Ok;
    }

    private static async Task<List<MetricEventBody>> ReadEventsAsync(FileInfo file, CancellationToken ct)
    {
        if (!file.Exists) throw new CliException($"No file {file.FullName}.", CliApp.BadInput);
        try
        {
            await using var stream = file.OpenRead();
            var json = await JsonSerializer.DeserializeAsync<JsonElement>(stream, VideoCommands.JsonOut, ct);
            var array = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("events", out var e) ? e : json;
            if (array.ValueKind != JsonValueKind.Array) throw new CliException($"{file.Name}: give {{\"events\": [...]}} or an array of events.", CliApp.BadInput);
            var events = array.Deserialize<List<MetricEventBody>>(VideoCommands.JsonOut) ?? [];
            if (events.Count == 0) throw new CliException($"{file.Name}: no events.", CliApp.BadInput);
            return events;
        }
        catch (JsonException e)
        {
            throw new CliException($"{file.Name} is not a list of events: {e.Message}", CliApp.BadInput);
        }
    }

    private static async Task<int> Run(ParseResult parse, RemoteOptions remote, Func<ViraLoopHttpClient, Task<int>> body)
    {
        ViraLoopHttpClient? http = null;
        var where = parse.GetValue(remote.Api) ?? Environment.GetEnvironmentVariable("VIRALOOP_API_URL") ?? "the API";
        try
        {
            (http, var api) = remote.OpenHttp(parse);
            where = api.ToString().TrimEnd('/');
            return await body(http);
        }
        catch (Exception e)
        {
            return CliErrors.Report(e, where);
        }
        finally
        {
            if (http is not null) await http.DisposeAsync();
        }
    }
}
