using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ViraLoop.Media;
using ViraLoop.Media.Provenance;
using ViraLoop.Media.Watermark;

namespace ViraLoop.Cli;

/// <summary>
/// <c>viraloop verify FILE</c>: what a video says of where it came from — its C2PA manifest (signer, time, actions, and
/// whether the signature and the file's hash hold) and the invisible watermark's payload with a confidence — and plainly
/// when it finds neither. Exit codes: 0 provenance found and intact, 1 none found or a manifest that does not verify,
/// 2 bad input.
/// </summary>
internal static class VerifyCommand
{
    public sealed record Report(
        string File,
        C2paSummary? Manifest,
        WatermarkDetection Watermark,
        string KeyFingerprint,
        string? ManifestJsonPayload)
    {
        public bool ManifestIntact => Manifest is { Valid: true };
        public bool Found => ManifestIntact || Watermark.Found;
    }

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A video (MP4, or a file re-encoded or re-uploaded elsewhere)" };
        var key = new Option<string?>("--watermark-key")
        {
            Description = $"The watermark key (64 hex digits or a passphrase; default: {WatermarkKey.EnvironmentVariable}, else the development key)",
        };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var command = new Command("verify", "Report a video's C2PA manifest and invisible watermark, or say plainly that it has neither. "
            + "Exit codes: 0 provenance found and intact, 1 none found or a manifest that does not verify, 2 bad input, 3 a tool is missing.")
        {
            file, key, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var report = await RunAsync(parse.GetValue(file)!, parse.GetValue(key), ct);
                if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
                else Print(report);
                return report.Found && (report.Manifest is null || report.ManifestIntact) ? CliApp.Ok : CliApp.Failed;
            }
            catch (MediaInputException e) { Console.Error.WriteLine($"error: {e.Message}"); return CliApp.BadInput; }
            catch (MissingToolException e) { Console.Error.WriteLine($"error: {e.Message}"); return CliApp.MissingTool; }
        });
        return command;
    }

    public static async Task<Report> RunAsync(FileInfo file, string? keyText, CancellationToken ct)
    {
        if (!file.Exists) throw new MediaInputException($"File not found: {file.FullName}");
        Tools.RequireMedia();
        var key = string.IsNullOrWhiteSpace(keyText) ? WatermarkKey.Configured()
            : WatermarkKey.TryParse(keyText, out var parsed) ? parsed : WatermarkKey.FromSecret(keyText);
        var manifest = C2paReader.TryRead(file.FullName);
        WatermarkDetection watermark;
        try
        {
            watermark = await WatermarkDetector.DetectAsync(file.FullName, key, ct);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException)
        {
            throw new MediaInputException($"{file.Name} could not be read as a video: {e.Message}");
        }
        return new Report(file.FullName, manifest, watermark, key.Fingerprint, ManifestJsonPayload(file));
    }

    /// <summary>The watermark payload recorded in a manifest.json beside the file (a ViraLoop output directory), if there is one.</summary>
    private static string? ManifestJsonPayload(FileInfo file)
    {
        var path = Path.Combine(file.DirectoryName ?? ".", "manifest.json");
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("watermark", out var w) && w.ValueKind == JsonValueKind.Object
                && w.TryGetProperty("payload", out var p) ? p.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
    }

    private static void Print(Report r)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(Path.GetFileName(r.File));
        if (r.Manifest is { } m)
        {
            Console.WriteLine(m.Valid
                ? "  C2PA manifest: valid (the signature verifies and the file's hash matches)"
                : $"  C2PA manifest: present but NOT valid ({string.Join(", ", Problems(m))}): the file was changed after signing, or the manifest is damaged");
            Console.WriteLine($"    manifest     {m.ManifestLabel}");
            Console.WriteLine($"    made by      {m.ClaimGenerator}");
            Console.WriteLine($"    signed by    {m.Signer} (issued by {m.Issuer})");
            if (m.SigningTime is { } t) Console.WriteLine($"    signed at    {t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", inv)} UTC");
            Console.WriteLine($"    actions      {string.Join(", ", m.Actions)}{(m.DigitalSourceType is { } d ? $" (source: {d[(d.LastIndexOf('/') + 1)..]})" : "")}");
            if (m.Ingredients.Count > 0) Console.WriteLine($"    ingredients  {string.Join("; ", m.Ingredients)}");
        }
        else
        {
            Console.WriteLine("  C2PA manifest: none (platforms that re-encode uploads strip it; the watermark survives that)");
        }
        var w = r.Watermark;
        if (w.Found)
        {
            var confidence = w.SyncStrength >= 2 * WatermarkAnalysis.SyncThreshold ? "high" : "moderate";
            Console.WriteLine(string.Create(inv,
                $"  Watermark: payload {WatermarkPayload.Format(w.Payload!.Value)} — {confidence} confidence (sync {w.SyncStrength:0.0}σ against a threshold of {WatermarkAnalysis.SyncThreshold:0.0}σ, raw bit accuracy {w.BitAccuracy:P1}, CRC matches, {w.FramesUsed} frames)"));
            if (r.ManifestJsonPayload is { } recorded)
                Console.WriteLine(recorded == WatermarkPayload.Format(w.Payload.Value)
                    ? "    matches the payload in manifest.json beside the file"
                    : $"    differs from the payload in manifest.json beside the file ({recorded})");
        }
        else
        {
            Console.WriteLine(string.Create(inv, $"  Watermark: none found for the key {r.KeyFingerprint} (best sync {w.SyncStrength:0.0}σ, threshold {WatermarkAnalysis.SyncThreshold:0.0}σ)"));
        }
        if (!r.Found && r.Manifest is null)
            Console.WriteLine("Neither a C2PA manifest nor a ViraLoop watermark was found: nothing in this file says it was made by ViraLoop (with this key).");
    }

    private static IEnumerable<string> Problems(C2paSummary m)
    {
        if (!m.SignatureValid) yield return "the signature does not verify";
        if (!m.HashMatches) yield return "the file's hash does not match";
        if (!m.AssertionsMatch) yield return "an assertion does not match the claim";
    }
}
