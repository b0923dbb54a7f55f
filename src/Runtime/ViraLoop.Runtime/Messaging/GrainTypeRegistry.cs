using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace ViraLoop.Runtime.Messaging;

/// <summary>What the runtime knows about one grain interface: its stable name, placement role and methods.</summary>
public sealed class GrainInterfaceInfo
{
    internal GrainInterfaceInfo(Type interfaceType, string name, string? role, IReadOnlyDictionary<string, GrainMethod> methods)
    {
        InterfaceType = interfaceType;
        Name = name;
        Role = role;
        Methods = methods;
    }

    public Type InterfaceType { get; }
    public string Name { get; }
    public string? Role { get; }
    public IReadOnlyDictionary<string, GrainMethod> Methods { get; }
    public Dictionary<MethodInfo, GrainMethod> ByMethodInfo { get; } = new();
}

public enum ReturnKind { Task, TaskOfT }

/// <summary>One grain method: parameters as sent on the wire (a trailing CancellationToken is not sent) and a compiled invoker.</summary>
public sealed class GrainMethod
{
    internal GrainMethod(MethodInfo method)
    {
        Method = method;
        Name = method.Name;
        var ps = method.GetParameters();
        CancellationTokenIndex = Array.FindIndex(ps, p => p.ParameterType == typeof(CancellationToken));
        if (CancellationTokenIndex >= 0 && CancellationTokenIndex != ps.Length - 1)
            throw new ArgumentException($"{method.DeclaringType!.Name}.{method.Name}: a CancellationToken must be the last parameter.");
        ParameterTypes = ps.Where(p => p.ParameterType != typeof(CancellationToken)).Select(p => p.ParameterType).ToArray();
        IsOneWay = method.GetCustomAttribute<OneWayAttribute>() is not null;
        if (method.ReturnType == typeof(Task)) { Kind = ReturnKind.Task; }
        else if (method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            Kind = ReturnKind.TaskOfT;
            ResultType = method.ReturnType.GetGenericArguments()[0];
        }
        else throw new ArgumentException($"{method.DeclaringType!.Name}.{method.Name} must return Task or Task<T> (returns {method.ReturnType.Name}).");
        if (IsOneWay && Kind != ReturnKind.Task)
            throw new ArgumentException($"{method.DeclaringType!.Name}.{method.Name} is [OneWay] and must return Task.");
        Invoker = BuildInvoker(method, ps.Length, CancellationTokenIndex);
        if (ResultType is not null) ResultGetter = BuildResultGetter(ResultType);
    }

    public MethodInfo Method { get; }
    public string Name { get; }
    public Type[] ParameterTypes { get; }
    public int CancellationTokenIndex { get; }
    public bool IsOneWay { get; }
    public ReturnKind Kind { get; }
    public Type? ResultType { get; }

    /// <summary>(grain, wire arguments, token) → the handler's task.</summary>
    public Func<object, object?[], CancellationToken, Task> Invoker { get; }

    public Func<Task, object?>? ResultGetter { get; }

    private static Func<object, object?[], CancellationToken, Task> BuildInvoker(MethodInfo method, int paramCount, int ctIndex)
    {
        var grain = Expression.Parameter(typeof(object), "grain");
        var args = Expression.Parameter(typeof(object?[]), "args");
        var ct = Expression.Parameter(typeof(CancellationToken), "ct");
        var ps = method.GetParameters();
        var callArgs = new Expression[paramCount];
        int wire = 0;
        for (int i = 0; i < paramCount; i++)
        {
            if (i == ctIndex) { callArgs[i] = ct; continue; }
            callArgs[i] = Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(wire++)), ps[i].ParameterType);
        }
        var call = Expression.Call(Expression.Convert(grain, method.DeclaringType!), method, callArgs);
        return Expression.Lambda<Func<object, object?[], CancellationToken, Task>>(
            Expression.Convert(call, typeof(Task)), grain, args, ct).Compile();
    }

    private static Func<Task, object?> BuildResultGetter(Type resultType)
    {
        var task = Expression.Parameter(typeof(Task), "t");
        var result = Expression.Property(Expression.Convert(task, typeof(Task<>).MakeGenericType(resultType)), "Result");
        return Expression.Lambda<Func<Task, object?>>(Expression.Convert(result, typeof(object)), task).Compile();
    }
}

/// <summary>Reads grain interfaces once and caches them.</summary>
public static class GrainTypeRegistry
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceInfo> Cache = new();

    public static GrainInterfaceInfo Get(Type interfaceType) => Cache.GetOrAdd(interfaceType, Build);

    public static GrainInterfaceInfo Get<T>() where T : IGrain => Get(typeof(T));

    private static GrainInterfaceInfo Build(Type t)
    {
        if (!t.IsInterface || !typeof(IGrain).IsAssignableFrom(t))
            throw new UnknownGrainTypeException($"{t.FullName} is not a grain interface (an interface deriving from IGrain).");
        var attr = t.GetCustomAttribute<GrainTypeAttribute>()
            ?? throw new UnknownGrainTypeException($"Grain interface {t.FullName} has no [GrainType(\"name\")] attribute; the runtime needs a stable name to route it.");
        if (string.IsNullOrWhiteSpace(attr.Name) || attr.Name.Any(c => !(char.IsLetterOrDigit(c) || c is '-' or '_')))
            throw new UnknownGrainTypeException($"Grain type name '{attr.Name}' of {t.FullName} must be letters, digits, '-' or '_'.");
        var role = t.GetCustomAttribute<SiloRoleAttribute>()?.Role;
        var methods = new Dictionary<string, GrainMethod>(StringComparer.Ordinal);
        var all = t.GetMethods().Concat(t.GetInterfaces().Where(i => i != typeof(IGrain)).SelectMany(i => i.GetMethods()));
        var byInfo = new Dictionary<MethodInfo, GrainMethod>();
        foreach (var m in all)
        {
            if (methods.ContainsKey(m.Name))
                throw new ArgumentException($"Grain interface {t.Name} has two methods named {m.Name}; grain methods are routed by name and must be unique.");
            var gm = new GrainMethod(m);
            methods[m.Name] = gm;
            byInfo[m] = gm;
        }
        var info = new GrainInterfaceInfo(t, attr.Name, role, methods);
        foreach (var (k, v) in byInfo) info.ByMethodInfo[k] = v;
        return info;
    }
}
