using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using ViraLoop.Media;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Pipeline.Steps;

namespace ViraLoop.Cli;

/// <summary>
/// The viraloop command line: <c>generate</c> (embedded or <c>--cluster</c>), <c>videos</c>/<c>usage</c> on a running cluster
/// (HTTP SDK or grain client SDK), <c>keys</c>/<c>plan</c> (admin), <c>cluster</c> (scripts/cluster.sh) and <c>db</c>.
/// Exit codes: 0 done, 1 failed, 2 bad input (an unwritable output directory and API refusals included), 3 a tool is missing.
/// </summary>
public static class CliApp
{
    public const int Ok = 0, Failed = 1, BadInput = 2, MissingTool = 3;

    /// <summary>The creative-gene options shared by <c>generate</c> and <c>videos submit</c>.</summary>
    internal static (Option<string?> Pacing, Option<string?> Captions, Option<string?> Voice, Option<string?> Thumbnail, Option<string?> TitleTemplate, Option<string?> Genome) GeneOptions() => (
        new Option<string?>("--pacing") { Description = "Scene length: fast, medium or slow" },
        new Option<string?>("--captions") { Description = "Caption style: classic, boxed or karaoke" },
        new Option<string?>("--voice") { Description = "Voice: normal, fast or deep" },
        new Option<string?>("--thumbnail") { Description = "Thumbnail style: title-box, big-word or clean" },
        new Option<string?>("--title-template") { Description = "Title: question, how-to or number (default: the topic)" },
        new Option<string?>("--genome") { Description = "Creative genes as \"hook=question;pacing=fast;caption=boxed\" (any of hook, pacing, caption, visual, palette, mood, voice, thumbnail, title)" });

    public static async Task<int> RunAsync(string[] args)
    {
        var topic = new Option<string>("--topic", "-t") { Description = "What the video is about", Required = true };
        var text = new Option<FileInfo?>("--text") { Description = "A text or bullet-point file whose facts the script keeps" };
        var scenes = new Option<FileInfo?>("--scenes") { Description = "A JSON scene list: [{\"text\": …, \"keywords\": […], \"duration\": 5}]" };
        var lang = new Option<string>("--lang", "-l") { Description = "Language: a code or a name (en, es, ar, hi, zh, Arabic…); `viraloop languages` lists them", DefaultValueFactory = _ => "en" };
        var duration = new Option<double>("--duration", "-d") { Description = "Length in seconds", DefaultValueFactory = _ => 30 };
        var style = new Option<string>("--style", "-s") { Description = "auto, gradient, particles, geometric, kinetic or zoom", DefaultValueFactory = _ => "auto" };
        var palette = new Option<string?>("--palette") { Description = "sunset, ocean, neon, forest or mono (default: from the topic)" };
        var mood = new Option<string>("--mood") { Description = "Music mood: upbeat, calm, dramatic or playful", DefaultValueFactory = _ => "upbeat" };
        var hook = new Option<string?>("--hook") { Description = "Hook type: question, bold-claim, number, story or contrarian" };
        var (pacing, captions, voice, thumbnail, titleTemplate, genome) = GeneOptions();
        var preview = new Option<bool>("--preview") { Description = "Render 540x960 for fast iteration" };
        var seed = new Option<int?>("--seed") { Description = "Seed for repeatable choices" };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output directory", DefaultValueFactory = _ => new DirectoryInfo("out") };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of a table" };
        var llmUrl = new Option<string?>("--llm-url") { Description = "OpenAI-compatible base URL for the script writer (key: VIRALOOP_LLM_API_KEY or OPENAI_API_KEY)" };
        var llmModel = new Option<string>("--llm-model") { Description = "Model name for --llm-url", DefaultValueFactory = _ => "gpt-4o-mini" };
        var tts = new Option<string>("--tts") { Description = "Voice engine: espeak (offline), openai (OPENAI_API_KEY) or elevenlabs (ELEVENLABS_API_KEY)", DefaultValueFactory = _ => "espeak" };
        var ttsUrl = new Option<string?>("--tts-url") { Description = "Base URL of the voice API (default: the vendor's)" };
        var ttsVoice = new Option<string?>("--tts-voice") { Description = "Voice name or id for the voice API" };
        var cluster = new Option<bool>("--cluster") { Description = "Submit to a running cluster (settings from the environment: ViraLoop__Postgres, ViraLoop__RabbitMq, ViraLoop__Blobs…)" };
        var tenant = new Option<string>("--tenant") { Description = "Tenant the job belongs to", DefaultValueFactory = _ => "local" };
        var priority = new Option<string?>("--priority") { Description = "high, standard or low (default: the tenant plan's ceiling)" };
        var visuals = new Option<string?>("--visuals") { Description = "Visual backend: procedural (default), openai-image or runway" };
        var stateDir = new Option<DirectoryInfo?>("--state") { Description = "Keep the embedded silo's state here (default: a scratch directory removed afterwards)" };

        var generate = new Command("generate", "Make a short vertical video from a topic (on an embedded silo, or on a cluster with --cluster)")
        {
            topic, text, scenes, lang, duration, style, palette, mood, hook, pacing, captions, voice, thumbnail, titleTemplate, genome, preview, seed, output, json,
            llmUrl, llmModel, tts, ttsUrl, ttsVoice, cluster, tenant, priority, visuals, stateDir,
        };
        generate.SetAction(async (parse, ct) =>
        {
            try
            {
                var request = new VideoRequest
                {
                    Topic = parse.GetValue(topic) ?? "",
                    Text = parse.GetValue(text) is { } tf ? await ReadInputAsync(tf, ct) : null,
                    Scenes = parse.GetValue(scenes) is { } sf ? ParseScenes(await ReadInputAsync(sf, ct), sf.FullName) : null,
                    Language = ViraLoop.Media.Languages.Get(parse.GetValue(lang) ?? "en").Code,
                    DurationSeconds = parse.GetValue(duration),
                    Style = parse.GetValue(style) ?? "auto",
                    Palette = parse.GetValue(palette),
                    Mood = parse.GetValue(mood) ?? "upbeat",
                    Hook = parse.GetValue(hook),
                    Pacing = parse.GetValue(pacing),
                    Captions = parse.GetValue(captions),
                    Voice = parse.GetValue(voice),
                    Thumbnail = parse.GetValue(thumbnail),
                    TitleTemplate = parse.GetValue(titleTemplate),
                    Preview = parse.GetValue(preview),
                    Seed = parse.GetValue(seed),
                };
                if (parse.GetValue(genome) is { } genes)
                {
                    // Options given on the command line (not their defaults) must agree with the genome.
                    string? Given(Option<string> o) => parse.GetResult(o) is { Implicit: false } ? parse.GetValue(o) : null;
                    request = CreativeGenes.Apply(request, CreativeGenes.Parse(genes), CreativeGenes.Given(request.Hook, request.Pacing, request.Captions,
                        Given(style), request.Palette, Given(mood), request.Voice, request.Thumbnail, request.TitleTemplate));
                }
                var outDir = parse.GetValue(output)!.FullName;
                // Everything that can be checked here is, before a silo starts: bad input exits 2 at once, a missing tool 3.
                ViraLoop.Media.Pipeline.Steps.VideoChoices.For(request);
                VideoPipeline.PrepareOutput(outDir);
                var isCluster = parse.GetValue(cluster);
                if (!isCluster) Tools.RequireMedia();
                var tenantId = parse.GetValue(tenant)!;
                if (!ViraLoop.Grains.Messages.JobKeys.IsValidPart(tenantId)) throw new MediaInputException($"--tenant must be 1–64 letters, digits, '-' or '_'; got '{tenantId}'.");
                var runner = new JobRunner
                {
                    Order = ViraLoop.Grains.Messages.VideoOrder.From(request) with
                    {
                        Priority = parse.GetValue(priority), VisualBackend = parse.GetValue(visuals),
                    },
                    OutputDirectory = outDir,
                    TenantId = tenantId,
                    Cluster = isCluster,
                    StateDirectory = parse.GetValue(stateDir)?.FullName,
                    Writer = isCluster ? null : Adapters.Writer(parse.GetValue(llmUrl), parse.GetValue(llmModel)!),
                    Voice = isCluster ? null : Adapters.Voice(parse.GetValue(tts)!, parse.GetValue(ttsUrl), parse.GetValue(ttsVoice)),
                };
                runner.Writer?.EnsureCanWrite(request); // a topic alone in a language without templates: exit 2 before a silo starts
                return await GenerateAsync(runner, parse.GetValue(json), ct);
            }
            catch (ArgumentException e) { return Error(e.Message, BadInput); }
            catch (JobFailedException e) { return Error($"Generation failed: {e.Message}", Failed); }
            catch (InvalidOperationException e) when (parse.GetValue(cluster) && e.Message.StartsWith("Cluster mode", StringComparison.Ordinal))
            {
                return Error($"{e.Message} --cluster takes the silos' settings from the environment (ViraLoop__Postgres, ViraLoop__RabbitMq, ViraLoop__Blobs, ViraLoop__ClusterId).", BadInput);
            }
            catch (MediaInputException e) { return Error(e.Message, BadInput); }
            catch (MissingToolException e) { return Error(e.Message, MissingTool); }
            catch (OperationCanceledException) { return Error("Cancelled.", Failed); }
            catch (Exception e) { return Error($"Generation failed: {e.Message}", Failed); }
        });

        var root = new RootCommand("ViraLoop: short vertical videos from a topic. Exit codes: 0 done, 1 failed (a video failed or was cancelled; "
            + "the API or cluster is unreachable), 2 bad input, a content-policy refusal or an API refusal (400, 401, 403, 404, 409, 422), 3 a tool is missing.")
        {
            generate, LanguagesCommand(), VerifyCommand.Create(), VideoCommands.Videos(), VideoCommands.Usage(), ExperimentCommands.Experiments(), ExperimentCommands.Metrics(), ExperimentCommands.Simulate(), AdminCommands.Keys(), AdminCommands.Plan(), ClusterCommands.Cluster(), DatabaseCommand(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) Console.Error.WriteLine($"error: {e.Message}");
            var command = string.Join(' ', parsed.CommandResult.Command.Name == root.Name ? [] : CommandPath(parsed.CommandResult));
            Console.Error.WriteLine($"Run 'viraloop {(command.Length == 0 ? "" : command + " ")}--help' for the options.");
            return BadInput;
        }
        return await parsed.InvokeAsync();
    }

    /// <summary><c>viraloop languages</c>: every language the offline voice speaks, which have the offline writer's templates.</summary>
    private static Command LanguagesCommand()
    {
        var command = new Command("languages", "The languages a video can be made in (--lang takes a code or a name), and which the offline writer "
            + "can write from a topic alone; the others need --text, --scenes or --llm-url.");
        command.SetAction(_ =>
        {
            var templates = Languages.WithTemplates.ToHashSet(StringComparer.OrdinalIgnoreCase);
            Console.WriteLine($"{"code",-8} {"name",-34} {"voice",-10} {"direction",-9} writer");
            foreach (var l in Languages.Listed())
                Console.WriteLine($"{l.Code,-8} {Fit(l.Name, 34),-34} {l.EspeakVoice,-10} {(l.RightToLeft ? "rtl" : "ltr"),-9} "
                    + (templates.Contains(l.Code) ? "topic, text, scenes" : "text, scenes, LLM"));
            return 0;
        });
        return command;
    }

    private static string Fit(string s, int width) => s.Length <= width ? s : s[..(width - 1)] + "…";

    /// <summary>The command's names from the root down (<c>videos submit</c>), for the hint after a parse error.</summary>
    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is System.CommandLine.Parsing.CommandResult c && c.Parent is not null; r = c.Parent)
            names.Insert(0, c.Command.Name);
        return names;
    }

    private static async Task<string> ReadInputAsync(FileInfo f, CancellationToken ct)
    {
        if (!f.Exists) throw new MediaInputException($"File not found: {f.FullName}");
        if (f.Length > 1_000_000) throw new MediaInputException($"{f.FullName} is larger than 1 MB.");
        return await File.ReadAllTextAsync(f.FullName, ct);
    }

    internal static IReadOnlyList<SceneInput> ParseScenes(string json, string where)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var array = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("scenes", out var s) ? s : doc.RootElement;
            if (array.ValueKind != JsonValueKind.Array) throw new MediaInputException($"{where}: expected a JSON array of scenes or {{\"scenes\": [...]}}.");
            return array.Deserialize<List<SceneInput>>() ?? [];
        }
        catch (JsonException e) { throw new MediaInputException($"{where} is not valid JSON: {e.Message}"); }
    }

    private static int Error(string message, int code)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }

    /// <summary>The steps a job reports, in order, as the progress display shows them.</summary>
    private static readonly string[] DisplaySteps = [StepNames.Script, StepNames.Voice, StepNames.Visuals, StepNames.Render, StepNames.Package];

    private static async Task<int> GenerateAsync(JobRunner runner, bool json, CancellationToken ct)
    {
        JobOutcome result;
        if (json || Console.IsOutputRedirected)
        {
            var done = new HashSet<string>();
            var current = (string?)null;
            result = await runner.RunAsync(p =>
            {
                var step = p.Status == ViraLoop.Grains.Messages.JobStatus.Completed ? null : p.Step;
                if (current is not null && current != step && done.Add(current)) Console.Error.WriteLine($"[{current}] done");
                current = step ?? current;
                if (p.Status == ViraLoop.Grains.Messages.JobStatus.Completed && current is not null && done.Add(current)) Console.Error.WriteLine($"[{current}] done");
                if (p.Status == ViraLoop.Grains.Messages.JobStatus.AwaitingApproval) Console.Error.WriteLine("[approval] waiting");
            }, ct);
        }
        else
        {
            result = null!;
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var tasks = DisplaySteps.ToDictionary(s => s, s => ctx.AddTask(s, autoStart: false, maxValue: 1));
                    result = await runner.RunAsync(p =>
                    {
                        var index = p.Step is null ? (p.Status == ViraLoop.Grains.Messages.JobStatus.Completed ? DisplaySteps.Length : -1) : Array.IndexOf(DisplaySteps, p.Step);
                        for (var i = 0; i < Math.Min(index, DisplaySteps.Length); i++)
                        {
                            var done = tasks[DisplaySteps[i]];
                            if (!done.IsStarted) done.StartTask();
                            done.Value = 1;
                        }
                        if (index >= 0 && index < DisplaySteps.Length)
                        {
                            var t = tasks[DisplaySteps[index]];
                            if (!t.IsStarted) t.StartTask();
                            t.Value = Math.Max(t.Value, p.StepFraction ?? 0);
                        }
                    }, ct);
                });
        }
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                video = result.VideoPath, thumbnail = result.ThumbnailPath, manifest = result.ManifestPath, hls = result.HlsPath,
                durationSeconds = result.DurationSeconds, scenes = result.Scenes, steps = result.StepSeconds, notes = result.Notes, job = result.JobKey,
            }, new JsonSerializerOptions { WriteIndented = true }));
            return Ok;
        }
        var table = new Table().AddColumn("").AddColumn("");
        table.AddRow("video", result.VideoPath);
        table.AddRow("hls", result.HlsPath);
        table.AddRow("thumbnail", result.ThumbnailPath);
        table.AddRow("manifest", result.ManifestPath);
        table.AddRow("duration", $"{result.DurationSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s, {result.Scenes} scenes");
        table.AddRow("steps", string.Join(", ", result.StepSeconds.Select(kv => $"{kv.Key} {kv.Value.ToString("0.0", CultureInfo.InvariantCulture)} s")));
        foreach (var n in result.Notes) table.AddRow("note", Markup.Escape(n));
        AnsiConsole.Write(table);
        return Ok;
    }

    /// <summary><c>viraloop db migrate</c>: applies the cluster schema (Orleans membership, grain state, reminders) to PostgreSQL; idempotent.</summary>
    private static Command DatabaseCommand()
    {
        var postgres = new Option<string?>("--postgres") { Description = "Npgsql connection string (default: ViraLoop__Postgres or VIRALOOP_POSTGRES)" };
        var migrate = new Command("migrate", "Create or update ViraLoop's PostgreSQL schema (safe to run again)") { postgres };
        migrate.SetAction(async (parse, ct) =>
        {
            var cs = parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("ViraLoop__Postgres") ?? Environment.GetEnvironmentVariable("VIRALOOP_POSTGRES");
            if (string.IsNullOrWhiteSpace(cs)) return Error("No database: pass --postgres \"Host=…;Username=…;Database=…\" or set ViraLoop__Postgres.", BadInput);
            try
            {
                await ViraLoop.Providers.PostgreSql.PostgresSchema.MigrateAsync(cs, ct);
                Console.WriteLine("database schema is up to date");
                return Ok;
            }
            catch (ArgumentException e) { return Error($"Bad connection string: {e.Message}", BadInput); }
            catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                return Error($"Could not migrate the database: {e.Message}", Failed);
            }
        });
        return new Command("db", "Database administration") { migrate };
    }
}
