using System.Text;
using System.Text.Json;

namespace Loopwire.Engine.Backends.ChatCompletions;

/// <summary>
/// Maps the function calls a chat upstream makes to a custom tool back to <c>custom_tool_call</c> chunks.
/// </summary>
/// <remarks>
/// Chat has no free-form tools, so a custom tool is offered as a function with one string argument
/// (<see cref="ArgumentName"/>). A call to it is held until it ends, then comes out as <see cref="CustomToolCallStart"/>
/// and one <see cref="CustomToolCallInputDelta"/> with the decoded string (arguments that are not that JSON object are
/// passed on as the raw input). Everything else passes through in order. One per response; not thread-safe.
/// </remarks>
internal sealed class CustomToolCallMapper(IReadOnlySet<string> customNames)
{
    /// <summary>The one parameter a custom tool gets when offered as a chat function.</summary>
    public const string ArgumentName = "input";

    private string? _callId;
    private string? _name;
    private readonly StringBuilder _arguments = new();

    /// <summary>The chunks to send on for <paramref name="chunks"/>.</summary>
    public IEnumerable<ModelChunk> Map(IEnumerable<ModelChunk> chunks)
    {
        if (customNames.Count == 0)
        {
            return chunks;
        }

        var output = new List<ModelChunk>();
        foreach (var chunk in chunks)
        {
            switch (chunk)
            {
                case ToolCallArgumentsDelta d when _name is not null:
                    _arguments.Append(d.Delta);
                    break;
                case ToolCallStart s when customNames.Contains(s.Name):
                    Flush(output);
                    _callId = s.CallId;
                    _name = s.Name;
                    break;
                default:
                    Flush(output);
                    output.Add(chunk);
                    break;
            }
        }

        return output;
    }

    /// <summary>Decodes the <c>{"input": "..."}</c> arguments of a call to a custom tool offered as a function.</summary>
    public static string DecodeInput(string arguments)
    {
        try
        {
            using var doc = JsonDocument.Parse(arguments);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(ArgumentName, out var input)
                && input.ValueKind == JsonValueKind.String)
            {
                return input.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not the JSON we asked for: the model wrote the input itself.
        }

        return arguments;
    }

    private void Flush(List<ModelChunk> output)
    {
        if (_name is null)
        {
            return;
        }

        output.Add(new CustomToolCallStart(_callId!, _name));
        string input = DecodeInput(_arguments.ToString());
        if (input.Length > 0)
        {
            output.Add(new CustomToolCallInputDelta(input));
        }

        _name = null;
        _callId = null;
        _arguments.Clear();
    }
}
