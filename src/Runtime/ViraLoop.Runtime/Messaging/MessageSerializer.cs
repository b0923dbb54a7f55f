using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ViraLoop.Runtime.Messaging;

/// <summary>
/// JSON with stable names: records are written by property name (camelCase), unknown fields are
/// ignored on read, so a newer sender and an older receiver still understand each other.
/// </summary>
public static class MessageSerializer
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
        MaxDepth = 64,
    };

    private static readonly ConcurrentDictionary<Type, bool> ShallowCache = new();

    public static byte[] SerializeArgs(GrainMethod method, object?[] args)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (int i = 0; i < method.ParameterTypes.Length; i++)
                WriteValue(writer, args[i], method.ParameterTypes[i], $"argument {i} of {method.Name}");
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static object?[] DeserializeArgs(GrainMethod method, ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            throw new GrainSerializationException($"Arguments of {method.Name} are not a JSON array.");
        var result = new object?[method.ParameterTypes.Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
                throw new GrainSerializationException($"{method.Name} expects {result.Length} arguments, the message has {i}.");
            try { result[i] = JsonSerializer.Deserialize(ref reader, method.ParameterTypes[i], Options); }
            catch (JsonException e) { throw new GrainSerializationException($"Argument {i} of {method.Name} is not a valid {method.ParameterTypes[i].Name}: {e.Message}", e); }
        }
        return result;
    }

    public static byte[] Serialize(object? value, Type type, string what)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer)) WriteValue(writer, value, type, what);
        return buffer.WrittenSpan.ToArray();
    }

    public static object? Deserialize(ReadOnlySpan<byte> body, Type type, string what)
    {
        try { return JsonSerializer.Deserialize(body, type, Options); }
        catch (JsonException e) { throw new GrainSerializationException($"{what} is not a valid {type.Name}: {e.Message}", e); }
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, Type type, string what)
    {
        try { JsonSerializer.Serialize(writer, value, type, Options); }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new GrainSerializationException($"Cannot serialize {what} ({value?.GetType().Name ?? type.Name}): {e.Message}", e);
        }
    }

    /// <summary>True for values that can cross a grain boundary by reference: primitives, strings and [Immutable] types.</summary>
    public static bool IsShallowCopyable(Type t) => ShallowCache.GetOrAdd(t, static t =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(Guid)
        || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan)
        || t.GetCustomAttribute<ImmutableAttribute>() is not null
        || (Nullable.GetUnderlyingType(t) is { } u && IsShallowCopyable(u)));

    /// <summary>Embedded-mode copy: what the receiver gets is what it would get over the wire.</summary>
    public static object?[] CopyArgs(GrainMethod method, object?[] args)
    {
        var types = method.ParameterTypes;
        bool shallow = true;
        for (int i = 0; i < types.Length && shallow; i++) shallow = IsShallowCopyable(types[i]);
        if (shallow)
        {
            if (args.Length == types.Length) return args;
            var trimmed = new object?[types.Length];
            int w = 0;
            for (int i = 0; i < args.Length; i++) if (i != method.CancellationTokenIndex) trimmed[w++] = args[i];
            return trimmed;
        }
        return DeserializeArgs(method, SerializeArgs(method, WireArgs(method, args)));
    }

    /// <summary>The arguments without the trailing CancellationToken.</summary>
    public static object?[] WireArgs(GrainMethod method, object?[] args)
    {
        if (method.CancellationTokenIndex < 0) return args;
        var wire = new object?[method.ParameterTypes.Length];
        int w = 0;
        for (int i = 0; i < args.Length; i++) if (i != method.CancellationTokenIndex) wire[w++] = args[i];
        return wire;
    }

    public static object? CopyValue(object? value, Type type, string what) =>
        value is null || IsShallowCopyable(type) ? value : Deserialize(Serialize(value, type, what), type, what);
}
