using System.Globalization;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed partial class WebSocketLifetimeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Connection_IdlePastMaxAge_ClosedNormally()
    {
        await using var host = new WsTestHost(output, ("Loopwire:WebSocket:MaxConnectionAge", "00:00:01"));
        await using var ws = await host.ConnectAsync();

        var before = await ws.ReceiveUntilCloseAsync(WsTestHost.GuardToken(TimeSpan.FromSeconds(10)));

        Assert.Empty(before);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
    }

    [Fact]
    public async Task ResponseCreate_AfterMaxAgeWhileOneRuns_LimitErrorThenInFlightFinishesThenClose()
    {
        await using var host = new WsTestHost(output, ("Loopwire:WebSocket:MaxConnectionAge", "00:00:01"));
        await using var ws = await host.ConnectAsync();

        // ~60k prompt tokens at sim-gpt5's 20k tokens/s of prefill: the first response is still running
        // well after the 1 s deadline, so the second create deterministically arrives past the deadline mid-response.
        string longPrompt = string.Join(' ', Enumerable.Repeat("context", 60_000));
        await ws.CreateAsync(Request(Slow, false, Items(User(longPrompt))));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await ws.CreateAsync(Request(Instant, false, Items(User("One more?"))));
        var events = await ws.ReceiveUntilCloseAsync(WsTestHost.GuardToken(TimeSpan.FromSeconds(30)));

        int error = events.FindIndex(e => Type(e) == "error");
        int completed = events.FindIndex(e => Type(e) == "response.completed");
        Assert.True(error >= 0, "expected an error event; got " + string.Join(", ", events.Select(Type)));
        Assert.Equal("websocket_connection_limit_reached", Code(events[error]));
        Assert.Equal(400, events[error].GetProperty("status").GetInt32());
        Assert.True(completed > error, "the in-flight response finishes after the refusal");
        Assert.Single(events, e => Type(e) == "response.created");
        Assert.Equal(completed, events.Count - 1);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
    }

    [Fact]
    public async Task ClientAbort_MidResponse_GenerationCancelled()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        await ws.CreateAsync(Request(Slow, false, Items(User("Write a long answer about sockets."))));
        string? responseId = null;
        for (int i = 0; i < 1000; i++)
        {
            var e = (await ws.ReceiveAsync()) ?? throw new InvalidOperationException("closed early");
            if (Type(e) == "response.created")
            {
                responseId = Response(e).GetProperty("id").GetString();
            }

            Assert.False(IsTerminal(e), "the response ended before its first delta: " + e);
            if (Type(e) == "response.output_text.delta")
            {
                break;
            }
        }

        Assert.NotNull(responseId);
        ws.Socket.Abort();

        var cancelled = await host.Logs.WaitForAsync(l => l.Message.Contains("generation cancelled", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.NotNull(cancelled);
        var closed = await host.Logs.WaitForAsync(l => l.Message.Contains(" closed: ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.NotNull(closed);
        Assert.DoesNotContain(host.Logs.Entries, l => l.Level >= LogLevel.Error);
        Assert.DoesNotContain(host.Logs.Entries, l => l.Message.Contains("Response " + responseId, StringComparison.Ordinal)
            && !l.Message.Contains("cancelled", StringComparison.Ordinal));
        var ms = CancelDelay().Match(cancelled.Message);
        Assert.True(ms.Success, cancelled.Message);
        output.WriteLine($"disconnect -> cancel: {double.Parse(ms.Groups[1].Value, CultureInfo.InvariantCulture)} ms");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Server_StoppingWhileSocketIdle_Closes1001(bool disposeHost)
    {
        var host = new WsTestHost(output);
        try
        {
            await using var ws = await host.ConnectAsync();
            var first = await ws.RunAsync(Request(Instant, false, Items(User("Hello."))));
            Assert.Equal("response.completed", Type(Last(first)));

            var stopping = disposeHost
                ? host.DisposeAsync().AsTask()
                : Task.Run(host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication);
            var before = await ws.ReceiveUntilCloseAsync(WsTestHost.GuardToken(TimeSpan.FromSeconds(10)));

            Assert.Empty(before);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, ws.CloseStatus);
            await ws.DisposeAsync();
            await stopping.WaitAsync(WsTestHost.Guard);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [GeneratedRegex(@"generation cancelled ([0-9.,]+) ms after the disconnect")]
    private static partial Regex CancelDelay();
}
