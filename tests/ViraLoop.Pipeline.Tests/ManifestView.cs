using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViraLoop.Pipeline.Tests;

public static class ManifestView
{
    /// <summary>
    /// A manifest without what differs between any two runs of the same request (when, how long each step took, file
    /// sizes, tool versions, the loudness measurement, the C2PA manifest label and signing time): what remains is the script, scenes, timings, words, styles, seeds and music.
    /// </summary>
    public static string Comparable(JsonNode manifest)
    {
        var copy = JsonNode.Parse(manifest.ToJsonString())!.AsObject();
        foreach (var volatileField in new[] { "createdAt", "stepSeconds", "files", "tools", "notes", "provenance", "videoId", "watermark" }) copy.Remove(volatileField);
        return copy.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static async Task<string> ComparableAsync(string path) => Comparable(JsonNode.Parse(await File.ReadAllTextAsync(path))!);
}
