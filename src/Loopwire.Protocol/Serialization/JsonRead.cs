using System.Text.Json;
using Loopwire.Protocol.Errors;

namespace Loopwire.Protocol.Serialization;

/// <summary>Path-aware accessors over a <see cref="JsonElement"/> that throw <see cref="ProtocolException"/>.</summary>
internal static class JsonRead
{
    public static void RequireObject(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new ProtocolException(ProtocolError.WrongType(path, "an object"));
        }
    }

    public static string? OptString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Null => null,
            _ => throw new ProtocolException(ProtocolError.WrongType(name, "a string")),
        } : null;

    public static string ReqString(JsonElement obj, string name) =>
        OptString(obj, name) ?? throw new ProtocolException(ProtocolError.Missing(name));

    public static bool IsKnown(string name, ReadOnlySpan<string> known)
    {
        foreach (var k in known)
        {
            if (k == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Collects properties not in <paramref name="known"/> so they can be written back unchanged.</summary>
    public static Dictionary<string, JsonElement>? Extras(JsonElement obj, ReadOnlySpan<string> known)
    {
        Dictionary<string, JsonElement>? extra = null;
        foreach (var p in obj.EnumerateObject())
        {
            if (!IsKnown(p.Name, known))
            {
                extra ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                extra[p.Name] = p.Value.Clone();
            }
        }

        return extra;
    }
}
