using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Loopwire.Agent.Tools;

/// <summary>The parsed arguments object of a tool call; every accessor reports problems as text for the model.</summary>
internal sealed class ToolArguments
{
    private readonly JsonElement _root;

    private ToolArguments(JsonElement root) => _root = root;

    public static bool TryParse(string? json, [NotNullWhen(true)] out ToolArguments? arguments, [NotNullWhen(false)] out string? error)
    {
        arguments = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            json = "{}";
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "arguments must be a JSON object";
                return false;
            }

            arguments = new ToolArguments(document.RootElement.Clone());
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = "arguments are not valid JSON: " + ex.Message;
            return false;
        }
    }

    public bool TryGetString(string name, bool required, out string? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        error = null;
        if (!_root.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = $"missing required argument '{name}'";
                return false;
            }

            return true;
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            error = $"argument '{name}' must be a string";
            return false;
        }

        value = property.GetString();
        return true;
    }

    public bool TryGetInt(string name, out int? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        error = null;
        if (!_root.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        // Models sometimes quote numbers; accept "10" as well as 10.
        if (property.ValueKind == JsonValueKind.Number && property.TryGetInt32(out var number))
        {
            value = number;
            return true;
        }

        if (property.ValueKind == JsonValueKind.String
            && int.TryParse(property.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
        {
            value = number;
            return true;
        }

        error = $"argument '{name}' must be an integer";
        return false;
    }

    /// <summary>
    /// The canonical form of an arguments string: object keys sorted (ordinal) at every depth, no whitespace. Text that
    /// is not JSON becomes a JSON string literal of itself, so the result is always valid JSON.
    /// </summary>
    public static string Canonicalize(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            json = "{}";
        }

        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            // Not JSON: the raw text, as a JSON string, is its own canonical form.
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (document)
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (document is null)
            {
                writer.WriteStringValue(json);
            }
            else
            {
                Write(writer, document.RootElement);
            }
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
