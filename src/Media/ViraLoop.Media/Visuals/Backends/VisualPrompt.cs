namespace ViraLoop.Media.Visuals.Backends;

/// <summary>The text a generative backend is given for one scene: what it shows, what is said over it, and its look.</summary>
public static class VisualPrompt
{
    /// <summary>A prompt for a vertical background picture or clip of <paramref name="job"/>, at most <paramref name="maxLength"/> characters.</summary>
    public static string For(VisualJob job, int maxLength)
    {
        var parts = new List<string> { "Vertical 9:16 background for a short social video." };
        // Asked again after image moderation flagged the first answer.
        if (job.Safer) parts.Add("Suitable for every audience: no violence, blood, weapons, nudity, suggestive poses or frightening imagery; calm and gentle.");
        if (!string.IsNullOrWhiteSpace(job.VisualDescription)) parts.Add($"Scene: {Clean(job.VisualDescription)}.");
        if (!string.IsNullOrWhiteSpace(job.Narration)) parts.Add($"It illustrates the narration: \"{Clean(job.Narration)}\".");
        if (!string.IsNullOrWhiteSpace(job.Style) && !job.Style.Equals("auto", StringComparison.OrdinalIgnoreCase)) parts.Add($"Look: {Clean(job.Style)}.");
        parts.Add("Subject centred with room above and below for captions; no text, letters, logos or watermarks.");
        var prompt = string.Join(' ', parts);
        return prompt.Length <= maxLength ? prompt : prompt[..(maxLength - 1)].TrimEnd() + "…";
    }

    private static string Clean(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.', ' ');
}
