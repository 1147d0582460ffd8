using System.Text;
using System.Text.Json.Nodes;

namespace Loopwire.Fuzz;

/// <summary>One HTTP request to send.</summary>
internal sealed record HttpFuzzInput(string Kind, HttpMethod Method, string Path, byte[]? Body, string? ContentType);

/// <summary>One WebSocket message: its frames (each possibly partial), and what the server should do with it.</summary>
/// <remarks><paramref name="MayDrop"/>: invalid UTF-8 in a text frame, where RFC 6455 §8.1 lets the server fail the connection
/// (.NET's WebSocket sends 1007 and aborts, so the close frame may be lost to the reset).</remarks>
internal sealed record WsFuzzMessage(string Kind, IReadOnlyList<WsFuzzFrame> Frames, bool ExpectReply, bool MayClose, bool MayDrop = false);

/// <summary>One frame of a WebSocket message.</summary>
internal sealed record WsFuzzFrame(byte[] Payload, bool Binary, bool EndOfMessage);

/// <summary>
/// Generators of hostile inputs: malformed and truncated JSON, wrong types, huge strings, deep nesting, invalid UTF-8,
/// unknown item and message types, binary, fragmented and oversized frames, and out-of-order messages.
/// </summary>
/// <remarks>Deterministic: the same <see cref="Random"/> gives the same inputs.</remarks>
internal sealed class FuzzInputs(FuzzOptions options)
{
    private static readonly string[] Fields =
    [
        "model", "input", "instructions", "store", "stream", "tools", "tool_choice", "parallel_tool_calls", "previous_response_id",
        "max_output_tokens", "temperature", "top_p", "metadata", "text", "reasoning", "truncation", "include", "generate",
        "background", "prompt_cache_key", "max_tool_calls", "user", "service_tier",
    ];

    private static readonly string[] ItemTypes =
    [
        "message", "function_call", "function_call_output", "reasoning", "custom_tool_call", "custom_tool_call_output",
        "banana", "", "web_search_call", "item_reference", "compaction",
    ];

    private readonly FuzzOptions _options = options;

    /// <summary>A valid request body (the starting point of most mutations); <c>store</c> is false so nothing piles up in the store.</summary>
    public JsonObject ValidBody(Random rng)
    {
        var body = new JsonObject { ["model"] = _options.Model, ["store"] = false };
        switch (rng.Next(4))
        {
            case 0:
                body["input"] = "fuzz " + rng.Next();
                break;
            case 1:
                body["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello " + rng.Next() });
                break;
            case 2:
                body["input"] = new JsonArray(
                    new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = "call get_weather" }) });
                body["tools"] = new JsonArray(new JsonObject
                {
                    ["type"] = "function", ["name"] = "get_weather",
                    ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" } } },
                });
                break;
            default:
                body["input"] = new JsonArray(
                    new JsonObject { ["role"] = "user", ["content"] = "weather?" },
                    new JsonObject { ["type"] = "function_call", ["call_id"] = "call_1", ["name"] = "get_weather", ["arguments"] = "{}" },
                    new JsonObject { ["type"] = "function_call_output", ["call_id"] = "call_1", ["output"] = "sunny" });
                body["instructions"] = "be brief";
                break;
        }

        return body;
    }

    /// <summary>A mutated JSON body: the kind of mutation and the bytes.</summary>
    public (string Kind, byte[] Bytes) MutatedBody(Random rng, bool allowHuge)
    {
        var body = ValidBody(rng);
        int pick = rng.Next(allowHuge ? 16 : 15);
        switch (pick)
        {
            case 0:
                return ("valid", Utf8(body));
            case 1:
            {
                var bytes = Utf8(body);
                return ("truncated", bytes[..rng.Next(bytes.Length)]);
            }

            case 2:
            {
                var bytes = Utf8(body);
                for (int i = 0, n = 1 + rng.Next(4); i < n; i++)
                {
                    const string junk = "{}[]\",:\\0x\u00ff ";
                    bytes[rng.Next(bytes.Length)] = (byte)junk[rng.Next(junk.Length)];
                }

                return ("corrupted", bytes);
            }

            case 3:
                body[Fields[rng.Next(Fields.Length)]] = WrongType(rng);
                return ("wrong_type", Utf8(body));
            case 4:
                return ("deep_nesting", DeepNesting(body, rng));
            case 5:
                return ("invalid_utf8", InvalidUtf8(body, rng));
            case 6:
                body["input"] = new JsonArray(UnknownItem(rng));
                return ("unknown_item", Utf8(body));
            case 7:
                body["x_unknown_" + rng.Next(100)] = WrongType(rng);
                return ("unknown_field", Utf8(body));
            case 8:
                return ("not_an_object", Encoding.UTF8.GetBytes(new[] { "", "null", "[]", "1", "\"str\"", "true", "{", "}", "{]", "{\"a\":}", "\u0000", "{}{}" }[rng.Next(12)]));
            case 9:
            {
                var s = body.ToJsonString();
                return ("duplicate_keys", Encoding.UTF8.GetBytes(s[..^1] + ",\"model\":123,\"input\":null}"));
            }

            case 10:
                body[new[] { "max_output_tokens", "temperature", "top_p", "max_tool_calls" }[rng.Next(4)]] =
                    JsonNode.Parse(new[] { "-1", "0", "1e400", "99999999999999999999", "-0.0", "1.5", "NaN" }[rng.Next(6)]);
                return ("out_of_range", Utf8(body));
            case 11:
                body[new[] { "truncation", "tool_choice", "service_tier", "include" }[rng.Next(4)]] = "maybe-" + rng.Next(9);
                return ("bad_enum", Utf8(body));
            case 12:
                body["previous_response_id"] = new[] { "resp_unknown", "", "resp_" + new string('f', 50), "../../etc", "resp_\u0000" }[rng.Next(5)];
                return ("unknown_previous", Utf8(body));
            case 13:
                body["input"] = new JsonArray(new JsonObject { ["role"] = new[] { "robot", "", "system", "developer", "assistant" }[rng.Next(5)], ["content"] = WrongType(rng) });
                return ("bad_message", Utf8(body));
            case 14:
                body["metadata"] = Metadata(rng);
                return ("bad_metadata", Utf8(body));
            default:
                body[new[] { "input", "instructions", "model", "prompt_cache_key" }[rng.Next(4)] ] = new string((char)('a' + rng.Next(26)), _options.HugeStringBytes);
                return ("huge_string", Utf8(body));
        }
    }

    /// <summary>An HTTP request: mostly mutated POST /v1/responses bodies, plus the other endpoints with odd ids and queries.</summary>
    public HttpFuzzInput Http(Random rng, bool allowHuge)
    {
        int pick = rng.Next(20);
        if (pick < 13)
        {
            var (kind, bytes) = MutatedBody(rng, allowHuge);
            return new HttpFuzzInput("post_" + kind, HttpMethod.Post, "/v1/responses", bytes, rng.Next(10) == 0 ? "text/plain" : "application/json");
        }

        string id = OddId(rng);
        return pick switch
        {
            13 => new("get_response", HttpMethod.Get, "/v1/responses/" + id + (rng.Next(3) == 0 ? "?stream=true&starting_after=x" : ""), null, null),
            14 => new("delete_response", HttpMethod.Delete, "/v1/responses/" + id, null, null),
            15 => new("input_items", HttpMethod.Get, $"/v1/responses/{id}/input_items?limit={OddNumber(rng)}&order={Uri.EscapeDataString(OddId(rng))}&after={id}", null, null),
            16 => new("cancel", HttpMethod.Post, $"/v1/responses/{id}/cancel", rng.Next(2) == 0 ? null : Utf8(ValidBody(rng)), "application/json"),
            17 => new("chat_completions", HttpMethod.Post, "/v1/chat/completions", MutatedChat(rng), "application/json"),
            18 => new("turns", HttpMethod.Get, $"/loopwire/v1/turns?after={OddNumber(rng)}&response_id={id}", null, null),
            _ => new("unknown_endpoint", new[] { HttpMethod.Put, HttpMethod.Patch, HttpMethod.Get, HttpMethod.Post }[rng.Next(4)], "/v1/" + id, null, null),
        };
    }

    /// <summary>The messages of one WebSocket connection.</summary>
    public List<WsFuzzMessage> WebSocketSession(Random rng, int messages, bool allowHuge, bool allowOversized)
    {
        var list = new List<WsFuzzMessage>(messages);
        for (int i = 0; i < messages; i++)
        {
            list.Add(WebSocketMessage(rng, allowHuge, allowOversized && i == messages - 1, i == 0));
        }

        return list;
    }

    private WsFuzzMessage WebSocketMessage(Random rng, bool allowHuge, bool allowOversized, bool first)
    {
        int pick = rng.Next(allowOversized ? 17 : 16);
        switch (pick)
        {
            case < 6:
            {
                var (kind, bytes) = MutatedBody(rng, allowHuge);
                return Text("create_" + kind, WithType(bytes, "response.create", rng), reply: true);
            }

            case 6:
                return Text("unknown_type", Utf8(new JsonObject { ["type"] = "response." + OddId(rng) }), reply: true);
            case 7:
                return Text("missing_type", Utf8(ValidBody(rng)), reply: true);
            case 8:
                return Text("type_not_string", Utf8(new JsonObject { ["type"] = WrongType(rng) }), reply: true);
            case 9:
                // Codex's acknowledgement: accepted and not answered, even with no response before it.
                return Text("processed_alone", Utf8(new JsonObject { ["type"] = "response.processed", ["response_id"] = OddId(rng) }), reply: false);
            case 10:
                return Text("append", Utf8(new JsonObject { ["type"] = "response.append", ["input"] = "more" }), reply: true);
            case 11:
            {
                var body = ValidBody(rng);
                body["type"] = "response.create";
                body["previous_response_id"] = first ? "resp_" + rng.Next() : "resp_never_created";
                return Text("continuation_before_create", Utf8(body), reply: true);
            }

            case 12:
                return new WsFuzzMessage("binary", [new WsFuzzFrame(Utf8(Create(rng)), Binary: true, EndOfMessage: true)], ExpectReply: true, MayClose: true);
            case 13:
            {
                var bytes = Utf8(Create(rng));
                var frames = new List<WsFuzzFrame>();
                int at = 0;
                while (at < bytes.Length)
                {
                    int n = Math.Min(bytes.Length - at, 1 + rng.Next(Math.Max(1, bytes.Length / 3)));
                    frames.Add(new WsFuzzFrame(bytes[at..(at + n)], false, at + n == bytes.Length));
                    at += n;
                }

                return new WsFuzzMessage("fragmented", frames, ExpectReply: true, MayClose: false);
            }

            case 14:
            {
                var body = Create(rng);
                body["background"] = true;
                return Text("background", Utf8(body), reply: true);
            }

            case 15:
                return new WsFuzzMessage("invalid_utf8_frame", [new WsFuzzFrame(InvalidUtf8(Create(rng), rng), false, true)], ExpectReply: true, MayClose: true, MayDrop: true);
            default:
            {
                // One byte beyond the server's message limit, sent in 64 KiB frames: close 1009.
                var frames = new List<WsFuzzFrame>();
                int total = _options.OversizedMessageBytes;
                var chunk = Enumerable.Repeat((byte)'a', 64 * 1024).ToArray();
                chunk[0] = (byte)'[';
                for (int sent = 0; sent < total; sent += chunk.Length)
                {
                    int n = Math.Min(chunk.Length, total - sent);
                    frames.Add(new WsFuzzFrame(sent == 0 ? chunk[..n] : Enumerable.Repeat((byte)' ', n).ToArray(), false, sent + n >= total));
                }

                return new WsFuzzMessage("oversized", frames, ExpectReply: true, MayClose: true);
            }
        }
    }

    private JsonObject Create(Random rng)
    {
        var body = ValidBody(rng);
        body["type"] = "response.create";
        return body;
    }

    private static WsFuzzMessage Text(string kind, byte[] bytes, bool reply) =>
        new(kind, [new WsFuzzFrame(bytes, false, true)], reply, MayClose: false, MayDrop: !System.Text.Unicode.Utf8.IsValid(bytes));

    /// <summary>Puts <c>"type":...</c> first in an object body; leaves anything else alone.</summary>
    private static byte[] WithType(byte[] body, string type, Random rng)
    {
        if (body.Length > 0 && body[0] == (byte)'{' && rng.Next(8) != 0)
        {
            var prefix = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\"{(body.Length > 1 && body[1] != (byte)'}' ? "," : "")}");
            return [.. prefix, .. body.AsSpan(1)];
        }

        return body;
    }

    private byte[] DeepNesting(JsonObject body, Random rng)
    {
        int depth = rng.Next(2) == 0 ? 60 + rng.Next(200) : 1000 + rng.Next(_options.MaxNestingDepth);
        var open = rng.Next(2) == 0 ? '[' : '{';
        var sb = new StringBuilder();
        for (int i = 0; i < depth; i++)
        {
            sb.Append(open == '[' ? "[" : "{\"a\":");
        }

        sb.Append('1');
        for (int i = 0; i < depth; i++)
        {
            sb.Append(open == '[' ? ']' : '}');
        }

        string field = new[] { "input", "metadata", "tools", "text", "reasoning", "x_nest" }[rng.Next(6)];
        string s = body.ToJsonString();
        return Encoding.UTF8.GetBytes(s[..^1] + $",\"{field}\":{sb}}}");
    }

    private static byte[] InvalidUtf8(JsonObject body, Random rng)
    {
        var bytes = Utf8(body);
        // Inside a string: right after the first value's opening quote, or after any quote (names, nested schemas).
        int colon = Array.IndexOf(bytes, (byte)':');
        var quotes = bytes.Select((b, i) => (b, i)).Where(x => x.b == (byte)'"').Select(x => x.i).ToList();
        int quote = rng.Next(2) == 0 && quotes.Count > 0 ? quotes[rng.Next(quotes.Count)]
            : colon < 0 ? -1 : Array.IndexOf(bytes, (byte)'"', colon);
        byte[][] bad = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82]];
        var seq = bad[rng.Next(bad.Length)];
        int at = quote < 0 ? rng.Next(bytes.Length) : quote + 1;
        return [.. bytes.AsSpan(0, at), .. seq, .. bytes.AsSpan(at)];
    }

    private static JsonNode? WrongType(Random rng) => rng.Next(8) switch
    {
        0 => null,
        1 => 42,
        2 => -1.5,
        3 => true,
        4 => "string",
        5 => new JsonArray(1, "two", null),
        6 => new JsonObject { ["unexpected"] = new JsonObject() },
        _ => new JsonArray(new JsonObject { ["type"] = 7 }),
    };

    private static JsonObject UnknownItem(Random rng)
    {
        var item = new JsonObject { ["type"] = ItemTypes[rng.Next(ItemTypes.Length)] };
        if (rng.Next(2) == 0)
        {
            item["call_id"] = WrongType(rng);
        }

        if (rng.Next(2) == 0)
        {
            item["content"] = WrongType(rng);
        }

        if (rng.Next(2) == 0)
        {
            item["output"] = WrongType(rng);
        }

        return item;
    }

    private static JsonObject Metadata(Random rng)
    {
        var m = new JsonObject();
        for (int i = 0, n = rng.Next(40); i < n; i++)
        {
            m["k" + i] = rng.Next(3) == 0 ? WrongType(rng) : new string('v', rng.Next(1000));
        }

        return m;
    }

    private byte[] MutatedChat(Random rng)
    {
        var body = new JsonObject { ["model"] = _options.Model, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }) };
        switch (rng.Next(6))
        {
            case 0:
                return Utf8(body);
            case 1:
                body["messages"] = WrongType(rng);
                return Utf8(body);
            case 2:
                body["messages"] = new JsonArray(new JsonObject { ["role"] = WrongType(rng), ["content"] = WrongType(rng) });
                return Utf8(body);
            case 3:
                body["stream"] = WrongType(rng);
                return Utf8(body);
            case 4:
            {
                var bytes = Utf8(body);
                return bytes[..rng.Next(bytes.Length)];
            }

            default:
                return InvalidUtf8(body, rng);
        }
    }

    private static string OddId(Random rng) => rng.Next(8) switch
    {
        0 => "resp_" + rng.Next(),
        1 => "",
        2 => "%2500",
        3 => new string('x', 2000),
        4 => "resp_%E2%82",
        5 => "..%2F..",
        6 => "resp_" + rng.NextInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
        _ => Uri.EscapeDataString("💥\"'<>"),
    };

    private static string OddNumber(Random rng) => new[] { "-1", "0", "101", "abc", "99999999999999999999", "", "1e3", "20" }[rng.Next(8)];

    private static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
