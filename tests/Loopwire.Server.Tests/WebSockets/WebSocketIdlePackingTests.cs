using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Engine;
using Loopwire.Server.Hosting;
using Loopwire.Server.WebSockets;
using Loopwire.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.LaneJson;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>Idle packing (<c>Loopwire:WebSocket:PackIdleAfter</c>): a packed session behaves exactly like one never packed.</summary>
public sealed class WebSocketIdlePackingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan After = TimeSpan.FromSeconds(5);

    private WsTestHost Host(FakeTimeProvider time, bool packing) =>
        new(time, output, ("Loopwire:WebSocket:PackIdleAfter", packing ? After.ToString() : "00:00:00"));

    /// <summary>Moves the fake clock on until the packer has packed <paramref name="count"/> conversations in all.</summary>
    private static async Task PackedAsync(WsTestHost host, FakeTimeProvider time, long count)
    {
        var packer = host.Services.GetRequiredService<IdlePacker>();
        Assert.True(await Eventually.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return packer.Packed >= count;
        }, WsTestHost.Guard), $"packed {packer.Packed}, expected {count}");
    }

    private static JsonArray History() => Items(
        User("Read calc.py and tell me what add() returns for 2 and 3."),
        new JsonObject { ["type"] = "function_call", ["call_id"] = "call_1", ["name"] = "read_file", ["arguments"] = "{\"path\":\"calc.py\"}" },
        ToolOutput("call_1", string.Concat(Enumerable.Repeat("def add(a, b):\n    return a - b  # bug\n", 40))),
        new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = "Keep it short.", ["x_client_tag"] = new JsonObject { ["n"] = 7 } });

    /// <summary>Runs a first turn, lets the session go idle (packed when <paramref name="packing"/>), then a second; returns both terminals.</summary>
    private async Task<(JsonElement First, JsonElement Second)> TwoTurnsAsync(bool packing, JsonArray secondInput)
    {
        var time = new FakeTimeProvider();
        await using var host = Host(time, packing);
        await using var ws = await host.ConnectAsync();
        var first = Last(await ws.RunAsync(Request(Instant, false, History(), tools: true)));
        if (packing)
        {
            await PackedAsync(host, time, 1);
        }

        var second = Last(await ws.RunAsync(Request(Instant, false, secondInput, tools: true, previousResponseId: Id(first))));
        return (first, second);
    }

    [Fact]
    public async Task PackedSession_NextTurn_SameOutputAsNeverPacked()
    {
        var (packedFirst, packed) = await TwoTurnsAsync(true, Items(User("So what is the bug?")));
        var (plainFirst, plain) = await TwoTurnsAsync(false, Items(User("So what is the bug?")));

        Assert.Equal("response.completed", Type(packed));
        Assert.Equal(Text(plainFirst), Text(packedFirst));
        Assert.Equal(Text(plain), Text(packed));
        Assert.Equal(Usage(plain), Usage(packed));
    }

    [Fact]
    public async Task PackedSession_Continuation_ServedFromCacheWithoutRerendering()
    {
        var time = new FakeTimeProvider();
        await using var host = Host(time, true);
        await using var ws = await host.ConnectAsync();
        var first = Last(await ws.RunAsync(Request(Instant, false, History(), tools: true)));
        await PackedAsync(host, time, 1);
        Assert.True(host.Services.GetRequiredService<WebSocketConnectionRegistry>().Snapshot().Single().Caches!.CachedBytes < 4_000);

        var second = Last(await ws.RunAsync(Request(Instant, false, Items(User("Fix it.")), tools: true, previousResponseId: Id(first))));
        var record = host.Services.GetRequiredService<ResponseEngine>().Recorder.Find(Id(second));
        Assert.NotNull(record);
        Assert.Equal("cache", record.Continuation);
        Assert.Equal(1, record.ItemsRendered);

        // Packed again after the second turn, and the chain goes on.
        await PackedAsync(host, time, 2);
        var third = Last(await ws.RunAsync(Request(Instant, false, Items(User("Thanks.")), tools: true, previousResponseId: Id(second))));
        Assert.Equal("response.completed", Type(third));
    }

    [Fact]
    public async Task PackedSession_CompactionThenContinue_SameOutputAsNeverPacked()
    {
        var packed = await CompactThenContinueAsync(true);
        var plain = await CompactThenContinueAsync(false);

        Assert.Equal("compaction", packed.Compaction);
        Assert.Equal(plain.Text, packed.Text);
        Assert.Equal(plain.Usage, packed.Usage);
    }

    private async Task<(string Compaction, string Text, string Usage)> CompactThenContinueAsync(bool packing)
    {
        var trigger = Items(new JsonObject { ["type"] = "compaction_trigger" });
        var time = new FakeTimeProvider();
        await using var host = Host(time, packing);
        await using var ws = await host.ConnectAsync();
        var first = Last(await ws.RunAsync(Request(Instant, false, History(), tools: true)));
        var second = Last(await ws.RunAsync(Request(Instant, false, trigger, tools: true, previousResponseId: Id(first))));
        string type = Response(second).GetProperty("output")[0].GetProperty("type").GetString()!;
        if (packing)
        {
            await PackedAsync(host, time, 1);
        }

        var third = Last(await ws.RunAsync(Request(Instant, false, Items(User("Go on.")), tools: true, previousResponseId: Id(second))));
        Assert.Equal("response.completed", Type(third));
        return (type, Text(third), Usage(third));
    }

    [Fact]
    public async Task PackedLane_ForkFromAnotherLane_SameOutputAsNeverPacked()
    {
        var packed = await ForkAsync(true);
        var plain = await ForkAsync(false);
        Assert.Equal(plain, packed);
    }

    private async Task<(string Fork, string Parent)> ForkAsync(bool packing)
    {
        var time = new FakeTimeProvider();
        await using var host = Host(time, packing);
        await using var ws = await host.ConnectAsync();
        var first = Last(await ws.RunAsync(OnLane(Request(Instant, false, History(), tools: true), "a")));
        if (packing)
        {
            await PackedAsync(host, time, 1);
        }

        var fork = Last(await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Try another way.")), tools: true, previousResponseId: Id(first)), "b")));
        Assert.Equal("response.completed", Type(fork));

        // The forked lane still holds its own state (packed again once idle), untouched by the fork.
        if (packing)
        {
            await PackedAsync(host, time, 3);
        }

        var parent = Last(await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Go on.")), tools: true, previousResponseId: Id(first)), "a")));
        Assert.Equal("response.completed", Type(parent));
        return (Text(fork), Text(parent));
    }

    [Fact]
    public async Task PackedSession_SteerWhileAwaitingToolOutput_SameOutputAsNeverPacked()
    {
        var packed = await SteerAsync(true);
        var plain = await SteerAsync(false);
        Assert.Equal(plain, packed);
    }

    private async Task<string> SteerAsync(bool packing)
    {
        var time = new FakeTimeProvider();
        await using var host = Host(time, packing);
        await using var ws = await host.ConnectAsync();
        var first = Last(await ws.RunAsync(Request(Instant, false, Items(User("What is the weather in Paris? Use get_weather.")), tools: true)));
        var call = Response(first).GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call");
        if (packing)
        {
            await PackedAsync(host, time, 1);
        }

        await ws.SendAsync(Steer(Id(first), "Also answer in French"));
        var steered = await ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "response.steer.pending"));
        Assert.Equal("response.steer.accepted", Type(steered[0]));

        var next = Last(await ws.RunAsync(Request(Instant, false, Items(ToolOutput(call.GetProperty("call_id").GetString()!, "Sunny, 21 C")),
            tools: true, previousResponseId: Id(first))));
        Assert.Equal("response.completed", Type(next));
        return Text(next) + "|" + Usage(next);
    }

    [Theory, InlineData(true), InlineData(false)]
    public async Task DroppedSession_ReattachAfterPacking_ContinuesWithDelta(bool packedBeforeDrop)
    {
        var time = new FakeTimeProvider();
        await using var host = Host(time, true);
        var ws = await host.ConnectAsync();
        var first = Last(await ws.RunAsync(Request(Instant, false, History(), tools: true)));
        if (packedBeforeDrop)
        {
            await PackedAsync(host, time, 1);
        }

        ws.Socket.Abort();
        await ws.DisposeAsync();
        var caches = host.Services.GetRequiredService<DetachedCaches>();
        Assert.True(await Eventually.UntilAsync(() => caches.Count == 1, WsTestHost.Guard));

        // A detached state is packed too, once idle (the connection's own state was, before the drop, when asked to).
        await PackedAsync(host, time, 1);
        Assert.True(caches.TenantBytes(null) < 4_000, $"detached bytes {caches.TenantBytes(null)}");

        await using var again = await host.ConnectAsync();
        var next = Last(await again.RunAsync(Request(Instant, false, Items(User("So what is the bug?")), tools: true, previousResponseId: Id(first))));
        var record = host.Services.GetRequiredService<ResponseEngine>().Recorder.Find(Id(next));
        Assert.NotNull(record);
        Assert.Equal("detached", record.Continuation);
        Assert.Equal(1, record.ItemsRendered);

        var (_, plain) = await TwoTurnsAsync(false, Items(User("So what is the bug?")));
        Assert.Equal(Text(plain), Text(next));
    }

    [Fact]
    public async Task PackingOff_NothingPackedAndNoTimer()
    {
        var time = new FakeTimeProvider();
        await using var host = Host(time, false);
        await using var ws = await host.ConnectAsync();
        var first = Last(await ws.RunAsync(Request(Instant, false, History(), tools: true)));
        var packer = host.Services.GetRequiredService<IdlePacker>();
        long bytes = host.Services.GetRequiredService<WebSocketConnectionRegistry>().Snapshot().Single().Caches!.CachedBytes;

        // Well past the idle time that would pack, not yet the connection's idle timeout.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(packer.Enabled);
        Assert.Equal(0, packer.Packed);
        Assert.Equal(0, packer.Queued);
        Assert.Equal(bytes, host.Services.GetRequiredService<WebSocketConnectionRegistry>().Snapshot().Single().Caches!.CachedBytes);
        var second = Last(await ws.RunAsync(Request(Instant, false, Items(User("Next.")), tools: true, previousResponseId: Id(first))));
        Assert.Equal("response.completed", Type(second));
    }

    [Fact]
    public void DefaultOptions_PackAfterFiveSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), new WebSocketModeOptions().PackIdleAfter);
        Assert.False(new IdlePackOptionsValidator().Validate(null, new LoopwireServerOptions()).Failed);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:00:00.05")]
    [InlineData("2.00:00:00")]
    public void Validator_OutOfRange_NamesTheKey(string value)
    {
        var result = new IdlePackOptionsValidator().Validate(null, new LoopwireServerOptions
        {
            WebSocket = new WebSocketModeOptions { PackIdleAfter = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
        });

        Assert.True(result.Failed);
        Assert.Contains("Loopwire:WebSocket:PackIdleAfter", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_ValidatesPackIdleAfterAtStartUp()
    {
        await using var host = Host(new FakeTimeProvider(), true);
        Assert.Contains(host.Services.GetServices<IValidateOptions<LoopwireServerOptions>>(), v => v is IdlePackOptionsValidator);
    }

    private static string Usage(JsonElement terminal) => Response(terminal).GetProperty("usage").GetRawText();
}
