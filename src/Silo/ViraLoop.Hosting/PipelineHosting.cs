using ViraLoop.Media.Safety.Moderation;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization;
using ViraLoop.Grains;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Placement;
using ViraLoop.Grains.Scheduling;
using ViraLoop.Media;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Storage;
using ViraLoop.Media.Writing;

namespace ViraLoop.Hosting;

/// <summary>The services the pipeline grains use, from <see cref="ViraLoopOptions"/> (each registered only if the host has not already).</summary>
public static class PipelineHosting
{
    /// <summary>Media records (scripts, timed scenes, visuals…) travel inside grain messages as JSON: one definition, version tolerant.</summary>
    public static IServiceCollection AddMediaMessageSerializer(this IServiceCollection services) =>
        services.AddSerializer(s => s.AddJsonSerializer(IsMediaType, new JsonSerializerOptions(JsonSerializerDefaults.General)));

    private static bool IsMediaType(Type t) => t.Assembly == typeof(VideoRequest).Assembly && !t.IsAbstract;

    public static IServiceCollection AddViraLoopPipeline(this IServiceCollection services, ViraLoopOptions options, bool gpuSilo)
    {
        services.TryAddSingleton<IScriptWriter>(_ => new TemplateScriptWriter());
        services.TryAddSingleton<ISpeechSynthesizer>(_ => new EspeakSynthesizer());
        services.TryAddSingleton<IBlobStore>(_ => new DirectoryBlobStore(options.BlobDirectory));
        services.TryAddSingleton(_ => new CpuExecutor(options.CpuSlots ?? Math.Max(1, Environment.ProcessorCount)));
        services.TryAddSingleton(sp =>
        {
            var configuration = sp.GetService<IConfiguration>();
            // Redirects are followed by hand where a vendor's link is downloaded (each hop checked), never by the client.
            var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(2) };
            return VisualBackendCatalog.FromEnvironment(() => configuration?[$"{ViraLoopOptions.Section}:{nameof(ViraLoopOptions.VisualBackend)}"] ?? options.VisualBackend, http);
        });
        services.TryAddSingleton(_ => new PipelineOptions
        {
            CpuSlots = options.CpuSlots ?? Math.Max(1, Environment.ProcessorCount),
            GpuSlots = options.GpuSlots,
            SigningKey = options.C2paKeyOptions,
            JobReminder = TimeSpan.FromSeconds(options.JobReminderSeconds),
            NearDuplicateThreshold = options.NearDuplicateThreshold,
            Scheduler = new SchedulerOptions { LeaseDuration = TimeSpan.FromSeconds(options.LeaseSeconds), WorkerTimeout = TimeSpan.FromSeconds(Math.Max(60, options.LeaseSeconds * 2)) },
            Tenants = PipelineOptions.ParseTenants(options.Tenants),
            DefaultPlan = new ViraLoop.Grains.Messages.TenantPlanSettings
            {
                Name = "default",
                VideosPerDay = options.PlanVideosPerDay,
                RenderedSecondsPerMonth = options.PlanRenderedSecondsPerMonth,
                RequestsPerMinute = options.PlanRequestsPerMinute,
                ConcurrentJobs = options.PlanConcurrentJobs,
            },
        });
        // The offline rules, and an OpenAI-compatible moderation endpoint as well when VIRALOOP_MODERATION=openai.
        services.TryAddSingleton(_ => ContentModeration.FromEnvironment(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }));
        services.TryAddSingleton<PipelineServices>();
        // The analytics store, opened on first use by the silo where the engagement grain (its single writer) is active.
        services.TryAddSingleton(sp => new ViraLoop.Grains.Experiments.EngagementStoreHolder(ct =>
        {
            if (options.IsCluster && options.ClickHouseEndpoint is null)
            {
                // Works while every silo shares the file (one machine); across machines the writer's moves split the history.
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("ViraLoop.Analytics").LogWarning(
                    "Engagement analytics go to the SQLite file {Path} on this machine; a cluster of several machines needs ClickHouse (VIRALOOP_CLICKHOUSE)",
                    options.AnalyticsPath);
            }
            return ViraLoop.Analytics.EngagementStores.OpenAsync(options.ClickHouseEndpoint, options.AnalyticsPath, ct);
        }));
        if (gpuSilo) services.AddHostedService<GpuWorkerStarter>();
        return services;
    }
}

/// <summary>On a GPU silo: activates this silo's GPU worker (key = silo name, placed here) and keeps it started.</summary>
internal sealed class GpuWorkerStarter(IGrainFactory grains, ILocalSiloDetails silo, ILogger<GpuWorkerStarter> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                RequestContext.Set(GpuPlacementKeys.TargetSilo, silo.Name);
                await grains.GetGrain<IGpuWorkerGrain>(silo.Name).Start();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("Could not start the GPU worker of {Silo}: {Error}", silo.Name, e.Message);
            }
            finally
            {
                RequestContext.Remove(GpuPlacementKeys.TargetSilo);
            }
            try { await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
