using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using ViraLoop.Client;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Cli;

/// <summary><c>viraloop keys …</c> and <c>viraloop plan …</c>: a tenant's API keys and plan through the admin endpoints (<c>X-Admin-Key</c>).</summary>
internal static class AdminCommands
{
    public const string ExitCodes = "Exit codes: 0 done, 1 the API is unreachable or failed (429/5xx), 2 bad input or an API refusal (400, 401, 403, 404).";

    private sealed class AdminOptions
    {
        public readonly Option<string?> Api = new("--api") { Description = "The API's base URL (default: VIRALOOP_API_URL, else the cluster `viraloop cluster start` started)", Recursive = true };
        public readonly Option<string?> AdminKey = new("--admin-key") { Description = "The cluster's admin key (default: VIRALOOP_ADMIN_KEY, else the one `viraloop cluster start` printed)", Recursive = true };
        public readonly Option<string> Tenant = new("--tenant") { Description = "The tenant", Required = true, Recursive = true };
        public readonly Option<bool> Json = new("--json") { Description = "Machine-readable output (JSON on stdout)", Recursive = true };

        public void AddTo(Command c)
        {
            c.Options.Add(Api);
            c.Options.Add(AdminKey);
            c.Options.Add(Tenant);
            c.Options.Add(Json);
        }

        public ViraLoopAdminClient Open(ParseResult parse)
        {
            var api = RemoteOptions.ApiUrl(parse.GetValue(Api));
            var key = parse.GetValue(AdminKey) ?? Environment.GetEnvironmentVariable("VIRALOOP_ADMIN_KEY") ?? ClusterCommands.Remembered()?.AdminKey;
            if (string.IsNullOrWhiteSpace(key)) throw new CliException("No admin key: pass --admin-key KEY or set VIRALOOP_ADMIN_KEY (the cluster's ViraLoop__AdminKey).", CliApp.BadInput);
            return new ViraLoopAdminClient(api, key);
        }

        /// <summary>Runs an admin command; every error is one line and an exit code.</summary>
        public async Task<int> Run(ParseResult parse, Func<ViraLoopAdminClient, string, bool, Task<int>> body)
        {
            try
            {
                using var admin = Open(parse);
                return await body(admin, parse.GetValue(Tenant)!, parse.GetValue(Json));
            }
            catch (Exception e)
            {
                return CliErrors.Report(e, parse.GetValue(Api) ?? Environment.GetEnvironmentVariable("VIRALOOP_API_URL") ?? "the API");
            }
        }
    }

    public static Command Keys()
    {
        var o = new AdminOptions();
        var name = new Option<string?>("--name") { Description = "A name to tell the key by (default: key)" };
        var create = new Command("create", $"Make an API key for the tenant; its secret is printed once, only its hash is kept. {ExitCodes}") { name };
        create.SetAction((parse, ct) => o.Run(parse, async (admin, tenant, json) =>
        {
            var key = await admin.CreateKeyAsync(tenant, parse.GetValue(name), ct);
            if (json) return VideoCommands.PrintJson(key);
            Console.WriteLine($"key id:  {key.KeyId}");
            Console.WriteLine($"tenant:  {key.Tenant}");
            Console.WriteLine($"name:    {key.Name}");
            Console.WriteLine($"secret:  {key.Secret}");
            Console.Error.WriteLine("The secret is shown this once; keep it now. Use it with: export VIRALOOP_API_KEY=<secret>");
            return CliApp.Ok;
        }));

        var list = new Command("list", $"The tenant's keys (never their secrets). {ExitCodes}");
        list.SetAction((parse, ct) => o.Run(parse, async (admin, tenant, json) =>
        {
            var keys = await admin.ListKeysAsync(tenant, ct);
            if (json) return VideoCommands.PrintJson(keys);
            var t = new Table().AddColumn(new TableColumn("key id").NoWrap()).AddColumn("name").AddColumn("created").AddColumn("revoked");
            foreach (var k in keys)
                t.AddRow(k.KeyId, Markup.Escape(k.Name), k.CreatedAt.ToString("u", CultureInfo.InvariantCulture), k.RevokedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            AnsiConsole.Write(t);
            return CliApp.Ok;
        }));

        var keyId = new Argument<string>("key-id") { Description = "The key's id, as `keys list` shows it" };
        var revoke = new Command("revoke", $"Revoke a key: requests with it are refused from now on. {ExitCodes}") { keyId };
        revoke.SetAction((parse, ct) => o.Run(parse, async (admin, tenant, json) =>
        {
            var id = parse.GetValue(keyId)!;
            await admin.RevokeKeyAsync(tenant, id, ct);
            if (json) return VideoCommands.PrintJson(new { keyId = id, tenant, revoked = true });
            Console.WriteLine($"revoked {id}");
            return CliApp.Ok;
        }));

        var keys = new Command("keys", $"A tenant's API keys (admin: --admin-key or VIRALOOP_ADMIN_KEY). {ExitCodes}") { create, list, revoke };
        o.AddTo(keys);
        return keys;
    }

    public static Command Plan()
    {
        var o = new AdminOptions();
        var get = new Command("get", $"The tenant's plan. {ExitCodes}");
        get.SetAction((parse, ct) => o.Run(parse, async (admin, tenant, json) => Print(await admin.GetPlanAsync(tenant, ct), json)));

        var name = new Option<string?>("--name") { Description = "The plan's name" };
        var ceiling = new Option<string?>("--priority-ceiling") { Description = "The highest priority a request may ask: high, standard or low" };
        var weight = new Option<double?>("--weight") { Description = "Share of the GPU pool under contention" };
        var perDay = new Option<int?>("--videos-per-day") { Description = "Videos a day" };
        var perMonth = new Option<double?>("--seconds-per-month") { Description = "Rendered seconds a month" };
        var perMinute = new Option<int?>("--requests-per-minute") { Description = "API requests a minute (per silo)" };
        var concurrent = new Option<int?>("--concurrent-jobs") { Description = "Unfinished videos at once" };
        var moderation = new Option<string[]>("--moderation")
        {
            Description = "Content policy levels, CATEGORY=LEVEL (violence, hate, sexual, self-harm, dangerous, harassment = strict, standard or relaxed); repeat or separate with commas",
            AllowMultipleArgumentsPerToken = true,
        };
        var set = new Command("set", $"Change the tenant's plan: the settings given, the others as they are. {ExitCodes}") { name, ceiling, weight, perDay, perMonth, perMinute, concurrent, moderation };
        set.SetAction((parse, ct) => o.Run(parse, async (admin, tenant, json) =>
        {
            var plan = await admin.GetPlanAsync(tenant, ct);
            plan = plan with
            {
                Name = parse.GetValue(name) ?? plan.Name,
                PriorityCeiling = parse.GetValue(ceiling) ?? plan.PriorityCeiling,
                Weight = parse.GetValue(weight) ?? plan.Weight,
                VideosPerDay = parse.GetValue(perDay) ?? plan.VideosPerDay,
                RenderedSecondsPerMonth = parse.GetValue(perMonth) ?? plan.RenderedSecondsPerMonth,
                RequestsPerMinute = parse.GetValue(perMinute) ?? plan.RequestsPerMinute,
                ConcurrentJobs = parse.GetValue(concurrent) ?? plan.ConcurrentJobs,
                Moderation = Levels(plan.Moderation, parse.GetValue(moderation)),
            };
            return Print(await admin.SetPlanAsync(tenant, plan, ct), json);
        }));

        var plans = new Command("plan", $"A tenant's plan: priority ceiling, GPU weight, quotas (admin: --admin-key or VIRALOOP_ADMIN_KEY). {ExitCodes}") { get, set };
        o.AddTo(plans);
        return plans;
    }

    /// <summary>The plan's content policy with CATEGORY=LEVEL settings applied (the grain validates names and limits).</summary>
    private static Dictionary<string, string>? Levels(IReadOnlyDictionary<string, string>? current, string[]? given)
    {
        if (given is null || given.Length == 0) return current is null ? null : new Dictionary<string, string>(current);
        var levels = new Dictionary<string, string>(current ?? new Dictionary<string, string>());
        foreach (var item in given.SelectMany(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var eq = item.IndexOf('=');
            if (eq <= 0 || eq == item.Length - 1)
                throw new ViraLoop.Media.MediaInputException($"--moderation takes CATEGORY=LEVEL (e.g. violence=relaxed); got '{item}'.");
            levels[item[..eq].Trim().ToLowerInvariant()] = item[(eq + 1)..].Trim().ToLowerInvariant();
        }
        return levels;
    }

    private static int Print(TenantPlanSettings p, bool json)
    {
        if (json) return VideoCommands.PrintJson(p);
        var t = new Table().AddColumn("").AddColumn("");
        t.AddRow("name", Markup.Escape(p.Name));
        t.AddRow("priority ceiling", p.PriorityCeiling);
        t.AddRow("weight", VideoCommands.Num(p.Weight));
        t.AddRow("videos per day", p.VideosPerDay.ToString(CultureInfo.InvariantCulture));
        t.AddRow("rendered seconds per month", VideoCommands.Num(p.RenderedSecondsPerMonth));
        t.AddRow("requests per minute", p.RequestsPerMinute.ToString(CultureInfo.InvariantCulture));
        t.AddRow("concurrent jobs", p.ConcurrentJobs.ToString(CultureInfo.InvariantCulture));
        t.AddRow("content policy", p.Moderation is { Count: > 0 } m
            ? Markup.Escape(string.Join(", ", m.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"))) + ", others standard"
            : "standard");
        AnsiConsole.Write(t);
        return CliApp.Ok;
    }
}
