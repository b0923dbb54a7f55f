using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ViraLoop.Deploy.Tests;

/// <summary>Textual checks of the three Dockerfiles (no Docker engine on the build machines).</summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string> Projects => new()
    {
        "src/Silo/ViraLoop.Silo/ViraLoop.Silo.csproj",
        "src/GpuSilo/ViraLoop.GpuSilo/ViraLoop.GpuSilo.csproj",
        "src/Client/ViraLoop.Cli/ViraLoop.Cli.csproj",
    };

    private sealed record Instruction(string Keyword, string Arguments, int Line);

    private static string DockerfilePath(string project) => Path.Combine(Repo.Root, Path.GetDirectoryName(project)!, "Dockerfile");

    /// <summary>Instructions with continuation lines joined and comments dropped, split into build stages.</summary>
    private static List<List<Instruction>> Stages(string project)
    {
        var path = DockerfilePath(project);
        Assert.True(File.Exists(path), $"{Path.GetRelativePath(Repo.Root, path)} does not exist.");
        var instructions = new List<Instruction>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i].Trim();
            if (text.Length == 0 || text.StartsWith('#')) continue;
            var start = i;
            while (text.EndsWith('\\') && i + 1 < lines.Length)
            {
                var next = lines[++i].Trim();
                text = text[..^1].TrimEnd() + (next.StartsWith('#') ? "" : " " + next);
            }
            var space = text.IndexOfAny([' ', '\t']);
            instructions.Add(space < 0
                ? new Instruction(text.ToUpperInvariant(), "", start + 1)
                : new Instruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim(), start + 1));
        }
        var stages = new List<List<Instruction>>();
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM") stages.Add([]);
            Assert.True(stages.Count > 0, $"{project} Dockerfile: '{instruction.Keyword}' before the first FROM (line {instruction.Line}).");
            stages[^1].Add(instruction);
        }
        Assert.True(stages.Count > 0, $"{project} Dockerfile has no FROM.");
        return stages;
    }

    private static string AssemblyName(string project)
    {
        var csproj = Path.Combine(Repo.Root, project);
        Assert.True(File.Exists(csproj), $"{project} does not exist.");
        var name = XDocument.Load(csproj).Descendants("AssemblyName").Select(e => e.Value.Trim()).LastOrDefault(v => v.Length > 0);
        return name ?? Path.GetFileNameWithoutExtension(project);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void BuildsWithTheSdkAndRunsOnTheAspNetRuntime(string project)
    {
        var stages = Stages(project);
        Assert.True(stages.Count >= 2, $"{project} Dockerfile must be multi-stage (found {stages.Count} stage).");
        var build = stages.Take(stages.Count - 1).Select(s => s[0].Arguments).ToList();
        Assert.True(build.Any(f => f.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", StringComparison.Ordinal)),
            $"{project} Dockerfile: no build stage FROM mcr.microsoft.com/dotnet/sdk:10.0 (stages: {string.Join(" | ", build)}).");
        var runtime = stages[^1][0].Arguments;
        Assert.True(runtime.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", StringComparison.Ordinal),
            $"{project} Dockerfile: the final stage is FROM '{runtime}', expected mcr.microsoft.com/dotnet/aspnet:10.0.");
        Assert.True(stages[^1].Any(i => i.Keyword == "COPY" && i.Arguments.Contains("--from=", StringComparison.Ordinal)),
            $"{project} Dockerfile: the final stage copies nothing from the build stage.");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void PublishesTheProjectInRelease(string project)
    {
        var publishes = Stages(project).SelectMany(s => s).Where(i => i.Keyword == "RUN" && DotnetPublish().IsMatch(i.Arguments)).ToList();
        Assert.True(publishes.Count > 0, $"{project} Dockerfile: no RUN dotnet publish.");
        var right = publishes.Where(i => i.Arguments.Contains(project, StringComparison.Ordinal)
                                         || i.Arguments.Contains(Path.GetDirectoryName(project)!.Replace('\\', '/'), StringComparison.Ordinal)).ToList();
        Assert.True(right.Count > 0, $"{project} Dockerfile: dotnet publish does not name {project}: {string.Join(" | ", publishes.Select(p => p.Arguments))}");
        Assert.True(right.Any(i => ReleaseConfiguration().IsMatch(i.Arguments)), $"{project} Dockerfile: dotnet publish is not -c Release: {right[0].Arguments}");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void ExposesHttpSiloAndGatewayPorts(string project)
    {
        var exposed = Stages(project)[^1].Where(i => i.Keyword == "EXPOSE")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(p => p.Split('/')[0]).ToHashSet();
        foreach (var port in new[] { "8080", "11111", "30000" })
            Assert.True(exposed.Contains(port), $"{project} Dockerfile: the final stage does not EXPOSE {port} (exposes [{string.Join(", ", exposed)}]).");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void DoesNotRunAsRoot(string project)
    {
        var user = Stages(project)[^1].LastOrDefault(i => i.Keyword == "USER");
        Assert.True(user is not null, $"{project} Dockerfile: the final stage has no USER, so the container runs as root.");
        var name = user!.Arguments.Split(':')[0].Trim();
        Assert.True(name is not ("root" or "0" or ""), $"{project} Dockerfile: USER {user.Arguments} (line {user.Line}) is root.");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void EntrypointRunsThePublishedAssembly(string project)
    {
        var dll = AssemblyName(project) + ".dll";
        var entry = Stages(project)[^1].LastOrDefault(i => i.Keyword == "ENTRYPOINT");
        Assert.True(entry is not null, $"{project} Dockerfile: no ENTRYPOINT in the final stage.");
        Assert.True(entry!.Arguments.StartsWith('['), $"{project} Dockerfile: use the exec form of ENTRYPOINT so SIGTERM reaches the process (Orleans drains on it): {entry.Arguments}");
        Assert.True(Regex.IsMatch(entry.Arguments, $"\"(\\./|/app/)?{Regex.Escape(dll)}\""),
            $"{project} Dockerfile: ENTRYPOINT {entry.Arguments} does not run {dll}, the assembly that project publishes.");
    }

    [GeneratedRegex(@"\bdotnet\s+publish\b")]
    private static partial Regex DotnetPublish();

    [GeneratedRegex(@"(-c|--configuration)[\s=]+Release\b")]
    private static partial Regex ReleaseConfiguration();
}
