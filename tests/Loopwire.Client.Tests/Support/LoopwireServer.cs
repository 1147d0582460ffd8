using System.Text.Json;
using Loopwire.Client.Sessions;
using Loopwire.Client.WebSockets;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.TestKit;
using Microsoft.AspNetCore.TestHost;

namespace Loopwire.Client.Tests.Support;

/// <summary>The kit's in-process Loopwire server (memory store, logs dropped) plus helpers to point clients at it.</summary>
public sealed class LoopwireServer : LoopwireTestHost
{
    public const string Model = Requests.InstantModel;

    private readonly List<InterceptingWebSocket> _sockets = [];
    private int _failedConnects;

    public LoopwireServer()
        : this(null, null)
    {
    }

    private LoopwireServer(Dictionary<string, string>? settings, TimeProvider? time)
        : base(settings, time)
    {
        Logs.Capture = false;
    }

    /// <summary>A server with extra configuration (e.g. <c>Loopwire:WebSocket:MaxConnectionAge</c>) and, optionally, its own clock.</summary>
    public static LoopwireServer With(Dictionary<string, string> settings, TimeProvider? time = null) => new(settings, time);

    /// <summary>Every WebSocket opened through <see cref="Connector"/>, in order.</summary>
    public IReadOnlyList<InterceptingWebSocket> Sockets
    {
        get
        {
            lock (_sockets)
            {
                return [.. _sockets];
            }
        }
    }

    /// <summary>Runs before a connection is opened (connection number from 0); throw to fail it.</summary>
    public Action<int>? BeforeConnect { get; set; }

    /// <summary>Opens WebSockets through the test server, wrapped so tests can see and intercept messages.</summary>
    public WebSocketConnector Connector => async (uri, headers, ct) =>
    {
        int n;
        lock (_sockets)
        {
            n = _sockets.Count + _failedConnects;
        }

        try
        {
            BeforeConnect?.Invoke(n);
        }
        catch
        {
            Interlocked.Increment(ref _failedConnects);
            throw;
        }

        var client = Server.CreateWebSocketClient();
        client.ConfigureRequest = r =>
        {
            foreach (var (name, value) in headers)
            {
                r.Headers[name] = value;
            }
        };
        var ws = new InterceptingWebSocket(await client.ConnectAsync(uri, ct));
        lock (_sockets)
        {
            _sockets.Add(ws);
        }

        return ws;
    };

    public ResponseSessionOptions SessionOptions(SessionTransport transport) => new()
    {
        Endpoint = Server.BaseAddress,
        Transport = transport,
        HttpClient = CreateClient(),
        Connector = Connector,
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(5),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(50),
    };

    // Shared conversation helpers.
    public static readonly IReadOnlyList<ToolDefinition> Tools = Conversation.LookupTools;

    public static CreateResponseRequest Options(string? instructions = "You are terse.", IReadOnlyList<ToolDefinition>? tools = null) => new()
    {
        Model = Model,
        Instructions = instructions is null ? null : JsonDocument.Parse(JsonSerializer.Serialize(instructions)).RootElement.Clone(),
        Tools = tools ?? Tools,
    };

    public static MessageItem User(string text) => Conversation.User(text);

    public static FunctionCallOutputItem ToolOutput(string callId, string output) => Conversation.ToolOutput(callId, output);

    /// <summary>The items as JSON without their ids (ids are random; everything else is deterministic).</summary>
    public static string WithoutIds(IEnumerable<ResponseItem> items) =>
        string.Join("\n", items.Select(i => JsonSerializer.Serialize(i with { Id = null }, ProtocolJsonContext.Wire.ResponseItem)));
}
