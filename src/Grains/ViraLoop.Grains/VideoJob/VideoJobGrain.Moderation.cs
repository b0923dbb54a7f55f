using Microsoft.Extensions.Logging;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Safety.Moderation;

namespace ViraLoop.Grains.VideoJob;

/// <summary>
/// The content policy at the job's three doors: the order (topic, text, scene list) before anything is made, the written
/// script before any voice or picture, and a script edited at approval. Every decision is logged with the job and the
/// tenant and kept as a span of the job's trace; a refusal ends the job as rejected with the category and the passage.
/// </summary>
public sealed partial class VideoJobGrain
{
    private ModerationPolicy Policy => PolicyOf(S.Moderation);

    private static ModerationPolicy PolicyOf(IReadOnlyDictionary<string, string>? settings)
    {
        try { return ModerationPolicy.FromSettings(settings); }
        catch (MediaInputException) { return ModerationPolicy.Default; } // validated when the plan was set; never looser on error
    }

    /// <summary>Checks texts under the job's policy, logs the decision and keeps it as a span.</summary>
    private async Task<ModerationVerdict> ModerateAsync(string stage, IReadOnlyList<ModerationText> texts, ModerationPolicy policy)
    {
        var start = DateTimeOffset.UtcNow;
        var verdict = await services.Moderation.CheckTextAsync(texts, policy);
        Logged(stage, verdict);
        AddSpan(ViraLoopTracing.Record("job.moderation", S.TraceParent, Key, silo.Name, start, $"{stage}: {verdict.Describe()}"));
        return verdict;
    }

    private void Logged(string stage, ModerationVerdict verdict)
    {
        var (tenant, job) = JobKeys.Parse(Key);
        if (verdict.Blocking is { } b)
            log.LogWarning("Moderation refused the {Stage} of job {Job} of tenant {Tenant}: {Category} (severity {Severity}, {Source}) in the {Field}",
                stage, job, tenant, ModerationCategories.Name(b.Category), b.Severity, b.Source, b.Field);
        else
            log.LogInformation("Moderation allowed the {Stage} of job {Job} of tenant {Tenant} ({Checkers}; {Findings} finding(s) below the policy's level)",
                stage, job, tenant, services.Moderation.Describe(), verdict.Findings.Count);
        foreach (var note in verdict.Notes)
            log.LogWarning("Moderation of the {Stage} of job {Job} of tenant {Tenant}: {Note}", stage, job, tenant, note);
    }

    private static JobRejection? RejectionOf(ModerationVerdict verdict, string stage) => verdict.Blocking is { } b
        ? new JobRejection(ModerationCategories.Name(b.Category), b.Severity, b.Field, b.Passage, b.Source, stage)
        : null;

    private string NoteOf(string stage, ModerationVerdict verdict) =>
        $"moderation of the {stage} ({services.Moderation.Describe()}): {verdict.Describe()}";

    /// <summary>A refusal in words, as the job's error and the API's detail.</summary>
    private static string Refusal(JobRejection r) =>
        $"The content policy refuses this ({r.Category}) in the {r.Field}: \u201c{r.Passage}\u201d.";

    /// <summary>An edit the policy refuses: the job stays waiting for approval, the caller gets a 400 naming the category.</summary>
    private static ArgumentException RefusedEdit(JobRejection r)
    {
        var e = new ArgumentException(Refusal(r));
        e.Data[JobRejection.CategoryDataKey] = r.Category;
        return e;
    }
}
