using System.Net;
using System.Text;
using System.Text.Json;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Context;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Engine.Tests.Backends;

/// <summary>
/// A fake upstream model server as an <see cref="HttpMessageHandler"/>: answers requests in order from a script and keeps
/// every request body. Streams can pause at gates, so a test decides when the "server" sends more (or never does).
/// </summary>
internal sealed class ScriptedUpstream : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _answers = new();

    public List<JsonElement> Bodies { get; } = [];

    public List<Uri> Uris { get; } = [];

    public ScriptedUpstream Then(Func<HttpResponseMessage> answer) => Then((_, _) => Task.FromResult(answer()));

    public ScriptedUpstream Then(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer)
    {
        lock (_answers)
        {
            _answers.Enqueue(answer);
        }

        return this;
    }

    /// <summary>
    /// A client over <paramref name="inner"/> with the upstream retry handler in front, as the server builds it for every
    /// upstream's named client.
    /// </summary>
    public static HttpClient Client(HttpMessageHandler inner, UpstreamBackendOptions options, TimeProvider? time = null)
    {
        var retry = UpstreamResilience.CreateHttpHandler("test", options, time ?? TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        retry.InnerHandler = inner;
        return new HttpClient(retry) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>An SSE response with one <c>data:</c> event per payload (as OpenAI-compatible servers send them).</summary>
    public static HttpResponseMessage Sse(params string[] data) => Sse(ScriptStream.Of(Frames(data)));

    public static HttpResponseMessage Sse(Stream body)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    public static byte[] Frames(params string[] data) => Encoding.UTF8.GetBytes(string.Concat(data.Select(d => "data: " + d + "\n\n")));

    public static HttpResponseMessage Json(int status, string body) =>
        new((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? (JsonElement?)null
            : JsonDocument.Parse(await request.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? answer;
        lock (_answers)
        {
            Uris.Add(request.RequestUri!);
            if (body is { } b)
            {
                Bodies.Add(b);
            }

            if (!_answers.TryDequeue(out answer))
            {
                throw new InvalidOperationException("The script has no answer left.");
            }
        }

        return await answer(request, cancellationToken);
    }

    public static ModelRequest Request(CreateResponseRequest? request = null, params ResponseItem[] items)
    {
        if (items.Length == 0)
        {
            items = [EngineTestKit.User("hello")];
        }

        return new ModelRequest("llama-test", new ConversationState([.. items]), request ?? new CreateResponseRequest { Model = "llama-test", Input = items });
    }

    public static async Task<List<ModelChunk>> CollectAsync(IModelBackend backend, ModelRequest request, CancellationToken ct = default)
    {
        var chunks = new List<ModelChunk>();
        await foreach (var c in backend.StreamAsync(request, ct == default ? new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token : ct))
        {
            chunks.Add(c);
            if (c is ModelFinished or ModelFailed)
            {
                break;
            }
        }

        return chunks;
    }
}

/// <summary>A response body made of byte segments and gates: reading stops at a gate until it completes.</summary>
internal sealed class ScriptStream : Stream
{
    private readonly Queue<object> _segments;
    private ReadOnlyMemory<byte> _current;

    private ScriptStream(IEnumerable<object> segments) => _segments = new Queue<object>(segments);

    public event Action? Disposed;

    /// <summary>Completes when a read waits at a gate (the reader has consumed everything before it).</summary>
    public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a read waiting at a gate was cancelled (the client aborted).</summary>
    public TaskCompletionSource Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static ScriptStream Of(params object[] segments) => new(segments);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current.IsEmpty)
        {
            if (!_segments.TryDequeue(out var next))
            {
                return 0;
            }

            if (next is Task gate)
            {
                Waiting.TrySetResult();
                try
                {
                    await gate.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Aborted.TrySetResult();
                    throw;
                }
            }
            else
            {
                _current = (byte[])next;
            }
        }

        int n = Math.Min(buffer.Length, _current.Length);
        _current[..n].CopyTo(buffer);
        _current = _current[n..];
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed?.Invoke();
        Disposed = null;
        base.Dispose(disposing);
    }
}
