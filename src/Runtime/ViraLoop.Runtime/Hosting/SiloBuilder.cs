using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ViraLoop.Runtime.Activation;
using ViraLoop.Runtime.Embedded;
using ViraLoop.Runtime.Messaging;
using ViraLoop.Runtime.Storage;
using ViraLoop.Runtime.Streams;

namespace ViraLoop.Runtime.Hosting;

/// <summary>Composes a silo: its grain types, transport, store and streams. The same grains run in every mode.</summary>
public sealed class SiloBuilder
{
    private readonly Dictionary<Type, Type> _grains = new();
    private Func<SiloOptions, IMessageTransport>? _transport;
    private Func<IRuntimeStore>? _store;
    private Func<Silo, IMessageTransport, IStreamProvider>? _streams;
    private readonly List<IIncomingGrainCallFilter> _filters = new();

    public SiloOptions Options { get; } = new();

    public SiloBuilder Configure(Action<SiloOptions> configure)
    {
        configure(Options);
        return this;
    }

    public SiloBuilder AddGrain<TInterface, TGrain>() where TInterface : IGrain where TGrain : Grain, TInterface =>
        AddGrain(typeof(TInterface), typeof(TGrain));

    public SiloBuilder AddGrain(Type grainInterface, Type implementation)
    {
        GrainTypeRegistry.Get(grainInterface); // validates early, with a clear message
        _grains[grainInterface] = implementation;
        return this;
    }

    /// <summary>Adds every concrete grain class of the assembly that implements a [GrainType] interface.</summary>
    public SiloBuilder AddGrainsFromAssembly(Assembly assembly)
    {
        foreach (var t in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t)))
            foreach (var i in t.GetInterfaces().Where(i => typeof(IGrain).IsAssignableFrom(i) && i.GetCustomAttribute<GrainTypeAttribute>() is not null))
                AddGrain(i, t);
        return this;
    }

    /// <summary>Adds a filter that runs around every grain turn on this silo (filters registered in the services run too).</summary>
    public SiloBuilder AddIncomingCallFilter(IIncomingGrainCallFilter filter)
    {
        _filters.Add(filter);
        return this;
    }

    public SiloBuilder UseTransport(Func<SiloOptions, IMessageTransport> factory) { _transport = factory; return this; }
    public SiloBuilder UseStore(Func<IRuntimeStore> factory) { _store = factory; return this; }
    public SiloBuilder UseStreams(Func<Silo, IMessageTransport, IStreamProvider> factory) { _streams = factory; return this; }

    /// <summary>Embedded mode's in-process transport and streams (pair it with a SQLite store).</summary>
    public SiloBuilder UseInProcessTransport()
    {
        _transport = _ => new InProcessTransport();
        _streams = (_, _) => new InProcessStreamProvider();
        return this;
    }

    public Silo Build(IServiceProvider? services = null)
    {
        var store = _store?.Invoke() ?? throw new InvalidOperationException("No state store configured: call UseSqlite(...) (embedded) or UsePostgres(...) (cluster).");
        var transport = _transport?.Invoke(Options) ?? throw new InvalidOperationException("No transport configured: call UseInProcessTransport() (embedded) or UseRabbitMq(...) (cluster).");
        services ??= new ServiceCollection().AddLogging().BuildServiceProvider();
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("ViraLoop.Silo") ?? NullLogger.Instance;
        var hosted = new Dictionary<string, HostedGrainType>(StringComparer.Ordinal);
        foreach (var (iface, impl) in _grains)
        {
            var info = GrainTypeRegistry.Get(iface);
            var role = info.Role ?? impl.GetCustomAttribute<SiloRoleAttribute>()?.Role;
            if (role is not null && !Options.Roles.Contains(role))
            {
                logger.LogInformation("Silo {Silo} does not host {Type}: it needs role '{Role}'", Options.SiloId, info.Name, role);
                continue;
            }
            if (hosted.ContainsKey(info.Name))
                throw new ArgumentException($"Two grain interfaces use the type name '{info.Name}'.");
            hosted[info.Name] = new HostedGrainType(info, impl);
        }
        var streams = _streams ?? ((_, _) => new InProcessStreamProvider());
        var filters = _filters.Concat(services.GetServices<IIncomingGrainCallFilter>()).ToList();
        return new Silo(Options, services, transport, store, s => streams(s, transport), hosted, logger, filters);
    }
}

public static class SiloServiceCollectionExtensions
{
    /// <summary>Runs a silo inside a generic host; grains resolve their dependencies from the host's services.</summary>
    public static IServiceCollection AddViraLoopSilo(this IServiceCollection services, Action<SiloBuilder> configure)
    {
        services.AddSingleton(sp =>
        {
            var builder = new SiloBuilder();
            configure(builder);
            return builder.Build(sp);
        });
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<Silo>().GrainFactory);
        services.AddHostedService<SiloHostedService>();
        return services;
    }

    private sealed class SiloHostedService(Silo silo) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => silo.StartAsync(cancellationToken);
        public Task StopAsync(CancellationToken cancellationToken) => silo.StopAsync(cancellationToken);
    }
}
