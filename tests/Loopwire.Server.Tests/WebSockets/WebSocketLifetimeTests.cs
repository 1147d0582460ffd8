using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Loopwire.Protocol.Errors;
using Loopwire.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed partial class WebSocketLifetimeTests(ITestOutputHelper output)
{
    /// <summary>How far the fake clock moves each time the awaited work has not finished.</summary>
    private static readonly TimeSpan ClockStep = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Connection_IdlePastMaxAge_ClosedNormally()
    {
        var time = new FakeTimeProvider();
        await using var host = new WsTestHost(time, output, ("Loopwire:WebSocket:MaxConnectionAge", "00:00:01"));
        await using var ws = await host.ConnectAsync();

        var before = await time.AdvanceUntilDoneAsync(ws.ReceiveUntilCloseAsync(WsTestHost.GuardToken()), ClockStep);

        Assert.Empty(before);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
    }

    [Fact]
    public async Task ResponseCreate_AfterMaxAgeWhileOneRuns_LimitErrorThenInFlightFinishesThenClose()
    {
        var time = new FakeTimeProvider();
        await using var host = new WsTestHost(time, output, ("Loopwire:WebSocket:MaxConnectionAge", "00:00:01"));
        await using var ws = await host.ConnectAsync();

        // ~60k prompt tokens at sim-gpt5's 20k tokens/s of prefill: 3 s on the server's clock, which only moves when
        // the test moves it, so the first response is still running when the clock passes the 1 s deadline.
        string longPrompt = string.Join(' ', Enumerable.Repeat("context", 60_000));
        await ws.CreateAsync(Request(Slow, false, Items(User(longPrompt))));
        var events = await ReceiveUntilTypeAsync(ws, "response.created");
        time.Advance(TimeSpan.FromSeconds(1.5));
        await ws.CreateAsync(Request(Instant, false, Items(User("One more?"))));
        events.AddRange(await ReceiveUntilTypeAsync(ws, "error"));
        events.AddRange(await time.AdvanceUntilDoneAsync(ws.ReceiveUntilCloseAsync(WsTestHost.GuardToken(TimeSpan.FromSeconds(30))), ClockStep));

        int error = events.FindIndex(e => Type(e) == "error");
        int completed = events.FindIndex(e => Type(e) == "response.completed");
        Assert.True(error >= 0, "expected an error event; got " + string.Join(", ", events.Select(Type)));
        Assert.Equal(ErrorCodes.WebSocketConnectionLimitReached, Code(events[error]));
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

    /// <summary>Reads messages up to and including the first of <paramref name="type"/>; fails on close.</summary>
    private static async Task<List<JsonElement>> ReceiveUntilTypeAsync(WsTestClient ws, string type)
    {
        var events = new List<JsonElement>();
        while (true)
        {
            var e = await ws.ReceiveAsync() ?? throw new InvalidOperationException(
                $"The server closed the socket ({ws.CloseStatus}) before {type}; got: {string.Join(", ", events.Select(Type))}");
            events.Add(e);
            if (Type(e) == type)
            {
                return events;
            }
        }
    }

    [GeneratedRegex(@"generation cancelled ([0-9.,]+) ms after the disconnect")]
    private static partial Regex CancelDelay();
}
