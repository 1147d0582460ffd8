using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Serialization;
using static Loopwire.Protocol.Tests.WireJson;

namespace Loopwire.Protocol.Tests.Validation;

public sealed class RequestReaderRoundTripTests
{
    // Shaped like codex-rs ResponsesApiRequest / ResponseCreateWsRequest: ids of replayed items are not
    // serialized, reasoning keeps encrypted_content, function_call arguments is a JSON string, and newer
    // builds tag assistant messages with `phase`.
    private const string CodexRequest = """
        {
          "model": "gpt-5.2-codex",
          "instructions": "You are Codex, based on GPT-5. You are running as a coding agent in the Codex CLI on a user's computer.",
          "input": [
            {
              "type": "message",
              "role": "developer",
              "content": [
                { "type": "input_text", "text": "<permissions instructions>\nFilesystem sandboxing: workspace-write.\n</permissions instructions>" }
              ]
            },
            {
              "type": "message",
              "role": "user",
              "content": [
                { "type": "input_text", "text": "<environment_context>\n  <cwd>/home/dev/loopwire</cwd>\n  <shell>bash</shell>\n</environment_context>" },
                { "type": "input_text", "text": "list the files and fix the \"failing\" test — ünïcödé 🚀" }
              ]
            },
            {
              "type": "reasoning",
              "summary": [ { "type": "summary_text", "text": "**Listing files**\n\nI'll run ls first." } ],
              "encrypted_content": "gAAAAABo9X1k3Qz_rT0m9yZcVv1a6hV2b5c8QeW1xLr9kK3p-Zx4T2Ng_8fHc0a9Lq7sUeYbJdM=="
            },
            {
              "type": "function_call",
              "name": "shell",
              "arguments": "{\"command\":[\"bash\",\"-lc\",\"ls -la\"],\"workdir\":\"/home/dev/loopwire\",\"timeout_ms\":10000}",
              "call_id": "call_9Yx1mJ2kQ4t8ZbP0aVw3LcRe"
            },
            {
              "type": "function_call_output",
              "call_id": "call_9Yx1mJ2kQ4t8ZbP0aVw3LcRe",
              "output": "Exit code: 0\nWall time: 0.1 seconds\nOutput:\ntotal 8\ndrwxr-xr-x  5 dev dev 4096 .\n-rw-r--r--  1 dev dev  120 README.md\n"
            },
            {
              "type": "custom_tool_call",
              "status": "completed",
              "call_id": "call_Q2w3E4r5T6y7U8i9O0p1",
              "name": "apply_patch",
              "input": "*** Begin Patch\n*** Update File: README.md\n@@\n-old\n+new\n*** End Patch\n"
            },
            {
              "type": "custom_tool_call_output",
              "call_id": "call_Q2w3E4r5T6y7U8i9O0p1",
              "output": "{\"output\":\"Success. Updated the following files:\\nM README.md\\n\",\"metadata\":{\"exit_code\":0,\"duration_seconds\":0.0}}"
            },
            {
              "type": "message",
              "role": "assistant",
              "content": [ { "type": "output_text", "text": "I updated README.md." } ],
              "phase": "final_answer"
            }
          ],
          "tools": [
            {
              "type": "function",
              "name": "shell",
              "description": "Runs a shell command and returns its output.",
              "strict": false,
              "parameters": {
                "type": "object",
                "properties": {
                  "command": { "type": "array", "items": { "type": "string" }, "description": "The command to execute" },
                  "workdir": { "type": "string" },
                  "timeout_ms": { "type": "number" }
                },
                "required": [ "command" ],
                "additionalProperties": false
              }
            },
            {
              "type": "custom",
              "name": "apply_patch",
              "description": "Use the `apply_patch` tool to edit files.",
              "format": { "type": "grammar", "syntax": "lark", "definition": "start: begin_patch hunk+ end_patch" }
            },
            { "type": "web_search" }
          ],
          "tool_choice": "auto",
          "parallel_tool_calls": false,
          "reasoning": { "effort": "medium", "summary": "auto" },
          "store": false,
          "stream": true,
          "include": [ "reasoning.encrypted_content" ],
          "prompt_cache_key": "0199a3c2-7b51-7d20-9a1e-5c3f2b8d4e61",
          "text": { "verbosity": "low" },
          "client_metadata": { "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }
        }
        """;

    // openai-node: client.responses.create({ model, input: "…", ... }).
    private const string NodeStringInputRequest = """
        {"model":"gpt-4.1-mini","input":"Tell me a three sentence bedtime story about a unicorn.","temperature":0.7,"max_output_tokens":256,"metadata":{"session":"abc123"},"user":"user-1234"}
        """;

    // openai-node: input_image parts (URL and data URL) and an item_reference to a stored item.
    private const string NodeImageRequest = """
        {
          "model": "gpt-4.1",
          "previous_response_id": "resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b",
          "input": [
            { "type": "item_reference", "id": "msg_68af40417f3c8193b76e9b7f1f0c2c1e05438e46b5f69a3b" },
            {
              "role": "user",
              "content": [
                { "type": "input_text", "text": "what's in these images?" },
                { "type": "input_image", "image_url": "https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg", "detail": "auto" },
                { "type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "detail": "low" },
                { "type": "input_image", "file_id": "file-6F2ksmvXxt4VdoqmHRw6kL", "detail": "high" }
              ]
            }
          ]
        }
        """;

    [Fact]
    public void TryParse_CodexRequest_ReadsTopLevelFields()
    {
        var req = ParseValid(CodexRequest);

        Assert.Equal("gpt-5.2-codex", req.Model);
        Assert.False(req.Store);
        Assert.False(req.StoreOrDefault);
        Assert.True(req.Stream);
        Assert.Equal(["reasoning.encrypted_content"], req.Include);
        Assert.Equal("0199a3c2-7b51-7d20-9a1e-5c3f2b8d4e61", req.PromptCacheKey);
        Assert.False(req.ParallelToolCalls);
        Assert.Equal("medium", req.Reasoning?.Effort);
        Assert.Equal("auto", req.Reasoning?.Summary);
        Assert.Equal("auto", req.ToolChoice?.GetString());
        Assert.Equal(JsonValueKind.String, req.Instructions?.ValueKind);
        Assert.Equal("low", req.Text?.GetProperty("verbosity").GetString());
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", req.ClientMetadata?["traceparent"]);
    }

    [Fact]
    public void TryParse_CodexRequest_ReadsTools()
    {
        var req = ParseValid(CodexRequest);

        Assert.NotNull(req.Tools);
        Assert.Equal(3, req.Tools.Count);
        Assert.Equal(("function", "shell"), (req.Tools[0].Type, req.Tools[0].Name));
        Assert.Equal(false, req.Tools[0].Strict);
        Assert.Equal(JsonValueKind.Object, req.Tools[0].Parameters?.ValueKind);
        Assert.Equal(("custom", "apply_patch"), (req.Tools[1].Type, req.Tools[1].Name));
        Assert.Equal("lark", req.Tools[1].Extra?["format"].GetProperty("syntax").GetString());
        Assert.Equal("web_search", req.Tools[2].Type);
        Assert.Null(req.Tools[2].Name);
    }

    [Fact]
    public void TryParse_CodexRequest_ReadsTypedItems()
    {
        var req = ParseValid(CodexRequest);

        Assert.NotNull(req.Input);
        Assert.Collection(
            req.Input,
            i => Assert.Equal("developer", Assert.IsType<MessageItem>(i).Role),
            i => Assert.Equal(2, Assert.IsType<MessageItem>(i).Content.Parts?.Count),
            i =>
            {
                var r = Assert.IsType<ReasoningItem>(i);
                Assert.StartsWith("gAAAAAB", r.EncryptedContent, StringComparison.Ordinal);
                Assert.Equal("summary_text", Assert.Single(r.Summary).Type);
                Assert.Null(r.Id);
            },
            i =>
            {
                var f = Assert.IsType<FunctionCallItem>(i);
                Assert.Equal("call_9Yx1mJ2kQ4t8ZbP0aVw3LcRe", f.CallId);
                Assert.Equal("shell", f.Name);
                Assert.StartsWith("{\"command\":", f.Arguments, StringComparison.Ordinal);
            },
            i => Assert.StartsWith("Exit code: 0", Assert.IsType<FunctionCallOutputItem>(i).Output.Text, StringComparison.Ordinal),
            i => Assert.StartsWith("*** Begin Patch", Assert.IsType<CustomToolCallItem>(i).Input, StringComparison.Ordinal),
            i => Assert.Equal("call_Q2w3E4r5T6y7U8i9O0p1", Assert.IsType<CustomToolCallOutputItem>(i).CallId),
            i =>
            {
                var m = Assert.IsType<MessageItem>(i);
                Assert.Equal("assistant", m.Role);
                Assert.Equal("final_answer", m.Extra?["phase"].GetString());
            });
    }

    [Fact]
    public void TryParse_CodexRequest_EachItemRoundTripsUnchanged()
    {
        AssertItemsRoundTrip(CodexRequest);
    }

    [Fact]
    public void TryParse_ImagesAndItemReference_EachItemRoundTripsUnchanged()
    {
        var req = ParseValid(NodeImageRequest);

        Assert.Equal("resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b", req.PreviousResponseId);
        Assert.IsType<ItemReferenceItem>(req.Input![0]);
        var parts = Assert.IsType<MessageItem>(req.Input[1]).Content.Parts!;
        Assert.Equal(["input_text", "input_image", "input_image", "input_image"], parts.Select(p => p.Type));
        Assert.Equal("file-6F2ksmvXxt4VdoqmHRw6kL", parts[3].FileId);
        AssertItemsRoundTrip(NodeImageRequest);
    }

    [Fact]
    public void TryParse_StringInput_BecomesOneUserMessageWithStringContent()
    {
        var req = ParseValid(NodeStringInputRequest);

        var message = Assert.IsType<MessageItem>(Assert.Single(req.Input!));
        Assert.Equal("user", message.Role);
        Assert.Equal("Tell me a three sentence bedtime story about a unicorn.", message.Content.Text);
        Assert.Null(message.Content.Parts);
        Assert.Equal(0.7, req.Temperature);
        Assert.Equal(256, req.MaxOutputTokens);
        Assert.Equal("abc123", req.Metadata?["session"]);
        Assert.Equal("user-1234", req.User);
        Assert.True(req.StoreOrDefault);

        var written = JsonNode.Parse(JsonSerializer.Serialize(message, ProtocolJsonContext.Wire.ResponseItem));
        AssertJsonEqual(
            JsonNode.Parse("""{"type":"message","role":"user","content":"Tell me a three sentence bedtime story about a unicorn."}"""),
            written);
    }

    [Fact]
    public void Serialize_FunctionCallItem_ArgumentsStayAString()
    {
        var req = ParseValid(CodexRequest);
        var call = req.Input!.OfType<FunctionCallItem>().Single();

        var written = JsonNode.Parse(JsonSerializer.Serialize<ResponseItem>(call, ProtocolJsonContext.Wire.ResponseItem))!;

        Assert.Equal(JsonValueKind.String, written["arguments"]!.GetValueKind());
        Assert.Equal(call.Arguments, written["arguments"]!.GetValue<string>());
    }

    [Fact]
    public void Serialize_ItemWithQuotesAndUnicode_WireContextDoesNotEscapeThem()
    {
        var req = ParseValid(CodexRequest);

        string json = JsonSerializer.Serialize(req.Input![1], ProtocolJsonContext.Wire.ResponseItem);

        // The relaxed encoder still writes characters outside the BMP (the emoji) as \uD83D\uDE80; that is valid JSON.
        Assert.True(json.Contains("the \\\"failing\\\" test — ünïcödé ", StringComparison.Ordinal), json);
        Assert.DoesNotContain("\\u0022", json, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_EasyFormMessage_RoundTripsWithTypeAdded()
    {
        var req = ParseValid("""{"model":"m","input":[{"role":"system","content":"Be brief.","x_custom":{"a":[1,2]}}]}""");

        var written = JsonNode.Parse(JsonSerializer.Serialize(req.Input![0], ProtocolJsonContext.Wire.ResponseItem));

        AssertJsonEqual(JsonNode.Parse("""{"type":"message","role":"system","content":"Be brief.","x_custom":{"a":[1,2]}}"""), written);
    }

    [Fact]
    public void TryParse_UnknownFieldsOnPartsAndOpaqueItems_ArePreserved()
    {
        const string json = """
            {"model":"m","input":[
              {"type":"message","role":"user","id":"msg_1","status":"completed","content":[{"type":"input_text","text":"hi","cache_control":{"type":"ephemeral"}}]},
              {"type":"function_call_output","call_id":"call_1","output":[{"type":"input_text","text":"ok"},{"type":"input_image","image_url":"https://example.com/a.png","detail":"auto"}]},
              {"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"weather"}},
              {"type":"reasoning","id":"rs_1","summary":[],"content":[{"type":"reasoning_text","text":"thinking"}],"encrypted_content":"opaque=="}
            ]}
            """;

        AssertItemsRoundTrip(json);
    }

    private static void AssertItemsRoundTrip(string requestJson)
    {
        var req = ParseValid(requestJson);
        var sent = Object(requestJson)["input"]!.AsArray();

        Assert.Equal(sent.Count, req.Input!.Count);
        for (int i = 0; i < sent.Count; i++)
        {
            var expected = sent[i]!.DeepClone().AsObject();
            if (!expected.ContainsKey("type"))
            {
                expected.Insert(0, "type", "message");
            }

            string json = JsonSerializer.Serialize(req.Input[i], ProtocolJsonContext.Wire.ResponseItem);
            var actual = JsonNode.Parse(json);
            Assert.True(
                JsonNode.DeepEquals(expected, actual),
                $"input[{i}] changed.{Environment.NewLine}sent:    {expected.ToJsonString()}{Environment.NewLine}written: {json}");
            Assert.Equal("type", PropertyNames(json)[0]);
        }
    }
}
