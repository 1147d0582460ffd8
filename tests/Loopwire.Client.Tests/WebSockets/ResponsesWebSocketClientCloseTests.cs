using System.Net.WebSockets;
using Loopwire.Client.Tests.Support;
using Loopwire.Client.WebSockets;
using Loopwire.Protocol.Requests;

namespace Loopwire.Client.Tests.WebSockets;

/// <summary>A connection that closes while its lanes wait to send: every waiting send fails, none waits forever.</summary>
public sealed class ResponsesWebSocketClientCloseTests
{
    [Fact]
    public async Task StreamAsync_LaneWaitingToSendWhenTheConnectionIsDisposed_FailsInsteadOfWaitingForever()
    {
        // A reconnect on one lane disposes the connection while another lane's create waits behind a send that hangs
        // (a full socket buffer). The wait was not tied to the connection, and the disposed semaphore forgot its waiter:
        // the lane waited for ever (seen as a hung soak test).
        var socket = new StuckSendWebSocket();
        var client = await ResponsesWebSocketClient.ConnectAsync(new Uri("http://127.0.0.1:9/v1/responses"),
            new ResponsesWebSocketOptions { Connector = (_, _, _) => Task.FromResult<WebSocket>(socket) });
        var a = client.StreamAsync(new CreateResponseRequest { Model = "m", StreamId = "a" }).GetAsyncEnumerator();
        var aFirst = a.MoveNextAsync().AsTask();
        await socket.FirstSendStarted.Task;
        var b = client.StreamAsync(new CreateResponseRequest { Model = "m", StreamId = "b" }).GetAsyncEnumerator();
        var bFirst = b.MoveNextAsync().AsTask();

        await client.DisposeAsync();

        // Bounded only so that the old behaviour fails the test instead of hanging the run.
        var ex = await Assert.ThrowsAsync<ResponsesConnectionException>(() => bFirst.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("closed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, socket.SendsStarted);
        socket.FailSends(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "reset"));
        await Assert.ThrowsAsync<ResponsesConnectionException>(() => aFirst.WaitAsync(TimeSpan.FromSeconds(60)));
        await a.DisposeAsync();
        await b.DisposeAsync();
    }

    [Fact]
    public async Task SteerAsync_WaitingToSendWhenTheConnectionIsAborted_Fails()
    {
        var socket = new StuckSendWebSocket();
        var client = await ResponsesWebSocketClient.ConnectAsync(new Uri("http://127.0.0.1:9/v1/responses"),
            new ResponsesWebSocketOptions { Connector = (_, _, _) => Task.FromResult<WebSocket>(socket) });
        var a = client.StreamAsync(new CreateResponseRequest { Model = "m" }).GetAsyncEnumerator();
        var aFirst = a.MoveNextAsync().AsTask();
        await socket.FirstSendStarted.Task;
        var steer = client.SteerAsync("resp_1", []);

        client.Abort();

        await Assert.ThrowsAsync<ResponsesConnectionException>(() => steer.WaitAsync(TimeSpan.FromSeconds(60)));
        socket.FailSends(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "reset"));
        await Assert.ThrowsAsync<ResponsesConnectionException>(() => aFirst.WaitAsync(TimeSpan.FromSeconds(60)));
        await a.DisposeAsync();
        await client.DisposeAsync();
    }
}
