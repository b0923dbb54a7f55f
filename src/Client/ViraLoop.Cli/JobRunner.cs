using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Streams;
using ViraLoop.Client;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;
using ViraLoop.Hosting;
using ViraLoop.Media;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Storage;
using ViraLoop.Media.Writing;

namespace ViraLoop.Cli;

/// <summary>What a finished job gave, copied into the output directory.</summary>
internal sealed record JobOutcome(string VideoPath, string ThumbnailPath, string ManifestPath, string HlsPath, double DurationSeconds, int Scenes,
    IReadOnlyDictionary<string, double> StepSeconds, IReadOnlyList<string> Notes, string JobKey);

/// <summary>
/// Runs one video job on grains: on an embedded silo started in this process (state in a scratch directory), or on a
/// running cluster (<c>--cluster</c>, connection settings from the environment as the silos take them). Progress comes
/// from the job's stream; the finished files are copied from the blob store into the output directory.
/// </summary>
internal sealed class JobRunner
{
    public required VideoOrder Order { get; init; }
    public required string OutputDirectory { get; init; }
    public required string TenantId { get; init; }
    public IScriptWriter? Writer { get; init; }
    public ISpeechSynthesizer? Voice { get; init; }
    public bool Cluster { get; init; }
    public string? StateDirectory { get; init; }

    public async Task<JobOutcome> RunAsync(Action<JobProgress> progress, CancellationToken ct)
    {
        var keepState = StateDirectory is not null;
        var stateDir = StateDirectory ?? Directory.CreateTempSubdirectory("viraloop-state-").FullName;
        ViraLoopClient client;
        IBlobStore blobs;
        if (Cluster)
        {
            var options = ViraLoopOptions.From(new ConfigurationBuilder().AddEnvironmentVariables().Build());
            options.Mode = "cluster";
            options.Validate();
            client = await ViraLoopClient.ConnectAsync(options, ct);
            blobs = new DirectoryBlobStore(options.BlobDirectory);
        }
        else
        {
            Directory.CreateDirectory(stateDir);
            client = await ViraLoopClient.StartEmbeddedAsync(Path.Combine(stateDir, "state.db"), silo =>
            {
                if (Writer is not null) silo.Services.AddSingleton(Writer);
                if (Voice is not null) silo.Services.AddSingleton(Voice);
            }, ct);
            blobs = client.Services.GetRequiredService<IBlobStore>();
        }
        try
        {
            await using (client)
            {
                var key = JobKeys.Of(TenantId, $"{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..31]);
                var job = client.Grains.GetGrain<IVideoJobGrain>(key);
                var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                long lastSequence = -1;
                var gate = new object();
                void Seen(JobProgress p)
                {
                    lock (gate)
                    {
                        if (p.Sequence <= lastSequence) return;
                        lastSequence = p.Sequence;
                        progress(p);
                    }
                    if (p.Status.IsFinal()) finished.TrySetResult();
                }
                var stream = client.Streams.GetStream<JobProgress>(StreamId.Create(StreamNames.Jobs, key));
                var subscription = await stream.SubscribeAsync((p, _) => { Seen(p); return Task.CompletedTask; });
                try
                {
                    var snapshot = await job.Submit(Order);
                    using var cancel = ct.Register(() => job.Cancel("stopped from the command line").Ignore());
                    // The stream drives the display; the job is also asked now and then, in case an event was lost.
                    while (!snapshot.Status.IsFinal())
                    {
                        await Task.WhenAny(finished.Task, Task.Delay(TimeSpan.FromSeconds(2), ct));
                        ct.ThrowIfCancellationRequested();
                        snapshot = await job.GetSnapshot();
                    }
                    // A refusal of the content policy is bad input: exit 2 with the category and the passage.
                    if (snapshot.Status == JobStatus.Rejected) throw new MediaInputException(snapshot.Error ?? "The content policy refuses this video.");
                    if (snapshot.Status == JobStatus.Failed) throw new JobFailedException(snapshot.Error ?? "the job failed");
                    if (snapshot.Status == JobStatus.Cancelled) throw new OperationCanceledException(snapshot.Error);
                    return await CopyOutputsAsync(snapshot, blobs, key, ct);
                }
                finally
                {
                    try { await subscription.UnsubscribeAsync(); } catch (Exception) { }
                }
            }
        }
        finally
        {
            if (!keepState && !Cluster) try { Directory.Delete(stateDir, recursive: true); } catch (IOException) { }
        }
    }

    private async Task<JobOutcome> CopyOutputsAsync(JobSnapshot snapshot, IBlobStore blobs, string key, CancellationToken ct)
    {
        var outDir = Path.GetFullPath(OutputDirectory);
        Directory.CreateDirectory(outDir);
        async Task<string> Copy(string blobKey, string name)
        {
            var blob = await blobs.GetAsync(blobKey, ct) ?? throw new JobFailedException($"the job's file {blobKey} is missing from the blob store");
            var target = Path.Combine(outDir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var tmp = target + ".part";
            await using (var from = await blobs.OpenReadAsync(blob, ct))
            await using (var to = File.Create(tmp))
                await from.CopyToAsync(to, ct);
            File.Move(tmp, target, overwrite: true);
            return target;
        }
        var video = await Copy(snapshot.Outputs["video"], VideoPipeline.VideoFile);
        var thumbnail = await Copy(snapshot.Outputs["thumbnail"], VideoPipeline.ThumbnailFile);
        await Copy(snapshot.Outputs["captions"], VideoPipeline.CaptionsFile);
        var playlistKey = snapshot.Outputs["hls"];
        var hlsPrefix = playlistKey[..playlistKey.LastIndexOf('/')];
        var playlistBlob = await blobs.GetAsync(playlistKey, ct) ?? throw new JobFailedException("the HLS playlist is missing from the blob store");
        string playlistText;
        await using (var s = await blobs.OpenReadAsync(playlistBlob, ct))
        using (var reader = new StreamReader(s))
            playlistText = await reader.ReadToEndAsync(ct);
        foreach (var file in ViraLoop.Media.Pipeline.Steps.HlsStep.PlaylistFiles(playlistText)) await Copy($"{hlsPrefix}/{file}", $"hls/{file}");
        // The C2PA sidecar and the master playlist that names it, where the job made them.
        foreach (var extra in new[] { VideoPipeline.HlsProvenance, VideoPipeline.HlsMaster })
            if (await blobs.GetAsync($"{hlsPrefix}/{Path.GetFileName(extra)}", ct) is not null) await Copy($"{hlsPrefix}/{Path.GetFileName(extra)}", extra);
        var hls = await Copy(playlistKey, VideoPipeline.HlsPlaylist);
        var manifest = await Copy(snapshot.Outputs["manifest"], VideoPipeline.ManifestFile);

        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(manifest, ct));
        var root = doc.RootElement;
        var steps = root.GetProperty("stepSeconds").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        var notes = root.GetProperty("notes").EnumerateArray().Select(n => n.GetString() ?? "").ToList();
        return new JobOutcome(video, thumbnail, manifest, hls, root.GetProperty("output").GetProperty("durationSeconds").GetDouble(),
            root.GetProperty("scenes").GetArrayLength(), steps, notes, key);
    }
}

/// <summary>The job ended as failed; the message is the job's own reason.</summary>
internal sealed class JobFailedException(string message) : Exception(message);
