using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.TestKit;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Compaction.CompactionHttp;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Compaction;

/// <summary><c>POST /v1/responses/compact</c> and the sealed compaction item, against a started server.</summary>
public sealed class CompactEndpointTests : IClassFixture<LoopwireFactory>
{
    private readonly LoopwireFactory _factory;
    private readonly HttpClient _client;

    public CompactEndpointTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _factory = factory;
        _client = factory.CreateClient();
    }

    [Fact]
    public async Task Compact_History_UserMessagesThenExactlyOneCompactionItem()
    {
        var body = new JsonObject { ["model"] = LoopwireFactory.Model, ["input"] = History(3), ["instructions"] = "Be brief." };
        var compacted = await CompactAsync(_client, body);

        Assert.Equal("response.compaction", compacted.GetProperty("object").GetString());
        Assert.StartsWith("cmp_", compacted.GetProperty("id").GetString(), StringComparison.Ordinal);
        var output = compacted.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(["message", "message", "compaction"], output.Select(i => i.GetProperty("type").GetString()));
        Assert.All(output.Take(2), m => Assert.Equal("user", m.GetProperty("role").GetString()));
        var item = output[^1];
        Assert.StartsWith("cmp_", item.GetProperty("id").GetString(), StringComparison.Ordinal);
        string sealedText = item.GetProperty("encrypted_content").GetString()!;
        Assert.StartsWith("lwdp1.", sealedText, StringComparison.Ordinal);
        Assert.DoesNotContain("read_file", sealedText, StringComparison.Ordinal);
        Assert.False(item.TryGetProperty("summary", out _));
        var usage = compacted.GetProperty("usage");
        Assert.True(usage.GetProperty("input_tokens").GetInt32() > 0);
        Assert.True(usage.GetProperty("output_tokens").GetInt32() > 0);
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Compact_OutputFedBackUnchanged_NewChainCompletesWithFewerTokens(bool streaming)
    {
        var history = History(6);
        int full = await InputTokensAsync(_client, new JsonObject { ["model"] = LoopwireFactory.Model, ["input"] = history.DeepClone() });
        var compacted = await CompactAsync(_client, new JsonObject { ["model"] = LoopwireFactory.Model, ["input"] = history.DeepClone() });

        var input = AsInput(compacted.GetProperty("output"));
        input.Add(UserMessage("What did you find?"));
        var turn = await CreateAsync(_client, Request(input), streaming);

        Assert.Equal("completed", turn.Response.GetProperty("status").GetString());
        int afterCompaction = turn.Usage.GetProperty("input_tokens").GetInt32();
        Assert.True(afterCompaction < full, $"compaction must shrink the context: {full} -> {afterCompaction}");

        // Chaining on from the new chain reopens the stored item from the store.
        var next = Request(new JsonArray(UserMessage("And then?")));
        next["previous_response_id"] = turn.Id;
        var chained = await CreateAsync(_client, next, streaming);
        Assert.Equal("completed", chained.Response.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Compact_PreviousResponseId_CompactsTheStoredChain()
    {
        var first = await CreateAsync(_client, Request(History(2)), stream: false);
        var compacted = await CompactAsync(_client, new JsonObject { ["model"] = LoopwireFactory.Model, ["previous_response_id"] = first.Id });
        var output = compacted.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal("compaction", output[^1].GetProperty("type").GetString());
        Assert.Equal(2, output.Count(i => i.GetProperty("type").GetString() == "message"));
    }

    [Fact]
    public async Task CompactionItem_OneByteEdited_RefusedWith400InvalidEncryptedContent()
    {
        var compacted = await CompactAsync(_client, new JsonObject { ["model"] = LoopwireFactory.Model, ["input"] = History(2) });
        var input = AsInput(compacted.GetProperty("output"));
        var item = input[^1]!.AsObject();
        string sealedText = item["encrypted_content"]!.GetValue<string>();
        int at = sealedText.Length / 2;
        item["encrypted_content"] = sealedText[..at] + (sealedText[at] == 'A' ? 'B' : 'A') + sealedText[(at + 1)..];

        using var content = Content(Request(input).ToJsonString());
        using var http = await _client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
        var error = await AssertErrorAsync(http, HttpStatusCode.BadRequest, "invalid_encrypted_content", $"input[{input.Count - 1}].encrypted_content");
        Assert.Contains("could not be verified", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompactionItem_NotSealedByLoopwire_RefusedWith400()
    {
        var input = new JsonArray(UserMessage("hi"), new JsonObject { ["type"] = "compaction", ["encrypted_content"] = "gAAAAABforged" });
        using var content = Content(Request(input).ToJsonString());
        using var http = await _client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
        await AssertErrorAsync(http, HttpStatusCode.BadRequest, "invalid_encrypted_content", "input[1].encrypted_content");
    }

    [Fact]
    public async Task CompactionItem_ServerKeysChanged_RefusedWith400EncryptionKeyUnavailable()
    {
        string dirA = Directory.CreateTempSubdirectory("loopwire-keys-").FullName;
        string dirB = Directory.CreateTempSubdirectory("loopwire-keys-").FullName;
        try
        {
            using var a = _factory.WithSettings(("Loopwire:Compaction:KeysDirectory", dirA));
            using var b = _factory.WithSettings(("Loopwire:Compaction:KeysDirectory", dirB));
            using var clientA = a.CreateClient();
            using var clientB = b.CreateClient();
            var compacted = await CompactAsync(clientA, new JsonObject { ["model"] = LoopwireFactory.Model, ["input"] = History(1) });
            var input = AsInput(compacted.GetProperty("output"));

            // The same server keeps opening it; a server with other keys refuses it, saying why.
            var ok = await CreateAsync(clientA, Request(input.DeepClone()), stream: false);
            Assert.Equal("completed", ok.Response.GetProperty("status").GetString());
            using var content = Content(Request(input).ToJsonString());
            using var http = await clientB.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
            var error = await AssertErrorAsync(http, HttpStatusCode.BadRequest, "encryption_key_unavailable", $"input[{input.Count - 1}].encrypted_content");
            Assert.Contains("key", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dirA, recursive: true);
            Directory.Delete(dirB, recursive: true);
        }
    }

    [Fact]
    public async Task Compact_MissingModel_400()
    {
        var (status, body) = await PostAsync(_client, "/v1/responses/compact", new JsonObject { ["input"] = History(1) });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("model", body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Compact_UnknownPreviousResponse_400NotFound()
    {
        var (status, body) = await PostAsync(_client, "/v1/responses/compact",
            new JsonObject { ["model"] = LoopwireFactory.Model, ["previous_response_id"] = "resp_missing" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("previous_response_not_found", body.GetProperty("error").GetProperty("code").GetString());
    }
}
