using System.Runtime.CompilerServices;
using System.Text;
using Loopwire.Server.Http;
using Loopwire.Server.Tests.WebSockets;
using Microsoft.AspNetCore.Http;

namespace Loopwire.Server.Tests.Http;

/// <summary>The SSE writer's corked stream: events ready together leave in one write, and nothing written is lost to a failure.</summary>
public sealed class SseWriterTests
{
    [Fact]
    public async Task EventsReadyTogether_LeaveInOneWrite()
    {
        var (context, body) = Response();

        await HttpIo.WriteSseAsync(context.Response, Ready(3), (buffer, writer, n) => writer.WriteNumberValue(n), static _ => "n",
            doneSentinel: false, CancellationToken.None);

        Assert.Equal(["event: n\ndata: 1\n\nevent: n\ndata: 2\n\nevent: n\ndata: 3\n\n"], body.Writes);
    }

    [Fact]
    public async Task FlushAfter_SendsThatEventAtOnce()
    {
        var (context, body) = Response();

        await HttpIo.WriteSseAsync(context.Response, Ready(3), (buffer, writer, n) => writer.WriteNumberValue(n), static _ => "n",
            doneSentinel: false, CancellationToken.None, flushAfter: static n => n == 1);

        Assert.Equal(["event: n\ndata: 1\n\n", "event: n\ndata: 2\n\nevent: n\ndata: 3\n\n"], body.Writes);
    }

    [Fact]
    public async Task ItemsThatFail_WhatWasWrittenBeforeStillGoesOut()
    {
        var (context, body) = Response();

        await Assert.ThrowsAsync<InvalidOperationException>(() => HttpIo.WriteSseAsync(context.Response, ReadyThenFail(2),
            (buffer, writer, n) => writer.WriteNumberValue(n), static _ => "n", doneSentinel: false, CancellationToken.None));

        Assert.Equal("event: n\ndata: 1\n\nevent: n\ndata: 2\n\n", string.Concat(body.Writes));
    }

    [Fact]
    public async Task FlushFailsWhileTheModelWaits_WaitsForTheModelThenReportsTheFlushFailure()
    {
        var (context, body) = Response();
        body.FailWrites = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async IAsyncEnumerable<int> Items([EnumeratorCancellation] CancellationToken ct = default)
        {
            yield return 1;
            await model.Task; // the model waits: the writer flushes event 1 first, and the client is gone
            yield return 2;
        }

        var run = HttpIo.WriteSseAsync(context.Response, Items(), (buffer, writer, n) => writer.WriteNumberValue(n),
            static _ => "n", doneSentinel: false, CancellationToken.None);
        await body.FailWrites.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Only now does the model go on. Had the writer disposed the items while their MoveNextAsync still ran, it would have
        // thrown NotSupportedException in place of the flush's failure.
        model.SetResult();
        await Assert.ThrowsAsync<IOException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    private static (DefaultHttpContext Context, CorkableStreamTests.RecordingStream Body) Response()
    {
        var body = new CorkableStreamTests.RecordingStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context, body);
    }

#pragma warning disable CS1998 // The items are ready at once: that is the point.
    private static async IAsyncEnumerable<int> Ready(int count, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (int i = 1; i <= count; i++)
        {
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> ReadyThenFail(int count, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (int i = 1; i <= count; i++)
        {
            yield return i;
        }

        throw new InvalidOperationException("the model failed");
    }
#pragma warning restore CS1998
}
