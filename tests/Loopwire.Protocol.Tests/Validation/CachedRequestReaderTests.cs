using System.Text;
using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Validation;

namespace Loopwire.Protocol.Tests.Validation;

/// <summary>The item-cache path of <see cref="RequestReader"/> gives exactly what the ordinary path gives: the request or the error.</summary>
public sealed class CachedRequestReaderTests
{
    private const string History = """
        [{"type":"message","role":"user","content":"Find the bug.\nIt is in \"parser.py\" \u00e9"},
         {"type":"function_call","call_id":"call_1","name":"read_file","arguments":"{\"path\":\"a.py\"}"},
         {"type":"function_call_output","call_id":"call_1","output":"def f():\n    return 1"},
         {"type":"message","id":"msg_1","status":"completed","role":"assistant",
          "content":[{"type":"output_text","text":"Done.","annotations":[]}]},
         {"role":"user","content":[{"type":"input_text","text":"next"}]},
         {"type":"reasoning","summary":[],"encrypted_content":"abc"}]
        """;

    private static readonly string Valid = $$$"""{"model":"sim-instant","store":false,"input":{{{History}}},"tools":[{"type":"function","name":"read_file","parameters":{"type":"object"}}],"instructions":"Be brief."}""";

    /// <summary>A hand-written cache: items by their bytes.</summary>
    private sealed class DictionaryCache : IItemParseCache
    {
        public Dictionary<string, ResponseItem> Items { get; } = [];

        public int Hits { get; private set; }

        public ResponseItem? Find(ReadOnlySpan<byte> utf8Json)
        {
            if (Items.TryGetValue(Convert.ToBase64String(utf8Json), out var item))
            {
                Hits++;
                return item;
            }

            return null;
        }

        public void Add(ReadOnlySpan<byte> utf8Json, ResponseItem item) => Items[Convert.ToBase64String(utf8Json)] = item;
    }

    private static string Describe(ProtocolError? error, CreateResponseRequest? request) => error is not null
        ? $"error {error.Status} {error.Code} {error.Param} {error.Message}"
        : JsonSerializer.Serialize(request!, ProtocolJsonContext.Default.CreateResponseRequest);

    private static void AssertSame(byte[] body, IItemParseCache cache)
    {
        var plainError = RequestReader.TryParse(body, out var plain);
        var cachedError = RequestReader.TryParse(body, cache, out var cached);
        Assert.Equal(Describe(plainError, plain), Describe(cachedError, cached));
    }

    [Fact]
    public void TryParse_Replay_TakesTheItemsParsedBefore()
    {
        var cache = new DictionaryCache();
        var body = Encoding.UTF8.GetBytes(Valid);

        Assert.Null(RequestReader.TryParse(body, cache, out var first));
        Assert.Equal(6, cache.Items.Count);
        Assert.Null(RequestReader.TryParse(body, cache, out var second));

        Assert.Equal(6, cache.Hits);
        for (int i = 0; i < first!.Input!.Count; i++)
        {
            Assert.Same(first.Input[i], second!.Input![i]);
        }

        AssertSame(body, cache);
    }

    [Fact]
    public void TryParseCached_StreamId_ReadInTheSamePass()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"type":"response.create","stream_id":"lane-1","model":"m","input":{{History}}}""");

        Assert.True(RequestReader.TryParseCached(body, new DictionaryCache(), out var request, out var streamId));

        Assert.Equal("lane-1", streamId);
        Assert.Equal("response.create", request!.Type);
        Assert.Equal(6, request.Input!.Count);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"just text"}""")]
    [InlineData("""{"model":"m","input":[]}""")]
    [InlineData("""{"model":"m"}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":"a"}],"input":[]}""")]
    [InlineData("""{"model":"m","inp\u0075t":[{"type":"message","role":"user","content":"a"}]}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":"a"},]}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":"a"}],}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":"a"}]} x""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":"a}]}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":"a"]}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"robot","content":"a"}]}""")]
    [InlineData("""{"model":"m","input":[{"type":"nope"}]}""")]
    [InlineData("""{"model":"m","input":[{"type":"function_call_output","call_id":"c"}]}""")]
    [InlineData("""{"model":"m","input":[1,2]}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":"a"}],"temperature":7}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":"a"}],"temperature":"hot"}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"assistant","content":[{"type":"input_image","image_url":"x"}]}]}""")]
    [InlineData("""{"input":[{"type":"message","role":"user","content":"a"}]}""")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":"a","x-extra":{"k":[1,{"z":null}]}}]}""")]
    [InlineData("""{"model":"m","input":[{"id":"msg_1"}]}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":"a\"}]\\"}] }""")]
    [InlineData(""" { "model" : "m" , "input" : [ { "type" : "message" , "role" : "user" , "content" : "a" } ] } """)]
    [InlineData("""[{"model":"m"}]""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":"a"}],"stream_id":"s\u0031"}""")]
    public void TryParse_Cached_SameRequestOrErrorAsOrdinary(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var cache = new DictionaryCache();

        AssertSame(body, cache);
        AssertSame(body, cache); // and again, with whatever the first read cached
    }

    [Fact]
    public void TryParse_DeepNestingInsideAnItem_SameAsOrdinary()
    {
        foreach (int depth in new[] { 58, 60, 61, 62, 63, 64 })
        {
            string nested = new string('[', depth) + new string(']', depth);
            var body = Encoding.UTF8.GetBytes($$"""{"model":"m","input":[{"role":"user","content":"a","x":{{nested}}}]}""");
            AssertSame(body, new DictionaryCache());
        }
    }

    [Fact]
    public void TryParse_InvalidUtf8InAnItem_SameAsOrdinary()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"m","input":[{"role":"user","content":"a","x":{"k":"#"}}]}""");
        body[Array.IndexOf(body, (byte)'#')] = 0xFF;

        AssertSame(body, new DictionaryCache());
    }

    [Fact]
    public void TryParse_RandomByteEdits_SameRequestOrErrorAsOrdinary()
    {
        // Bounded: 400 edits of one body, each read both ways against a cache that already holds the original's items.
        var original = Encoding.UTF8.GetBytes(Valid);
        var cache = new DictionaryCache();
        Assert.Null(RequestReader.TryParse(original, cache, out _));
        var rng = new Random(16);
        byte[] alphabet = "{}[]\",:\\ anu0\u00e9"u8.ToArray();
        for (int n = 0; n < 400; n++)
        {
            var body = (byte[])original.Clone();
            int edits = rng.Next(1, 3);
            for (int e = 0; e < edits; e++)
            {
                body[rng.Next(body.Length)] = alphabet[rng.Next(alphabet.Length)];
            }

            AssertSame(body, cache);
        }
    }
}
