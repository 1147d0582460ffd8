namespace Loopwire.Fuzz;

/// <summary>What the server did with one fuzz input.</summary>
public enum FuzzOutcome
{
    /// <summary>HTTP 2xx (the mutation happened to be valid or tolerated).</summary>
    Http2xx,

    /// <summary>HTTP 4xx: refused as it should be.</summary>
    Http4xx,

    /// <summary>HTTP 5xx: a server bug.</summary>
    Http5xx,

    /// <summary>Any other HTTP status: unexpected.</summary>
    HttpOther,

    /// <summary>A WebSocket response ran to its terminal event.</summary>
    WsCompleted,

    /// <summary>A WebSocket <c>error</c> event, the socket left open.</summary>
    WsErrorEvent,

    /// <summary>The server closed the socket with a fitting code (1000, 1002, 1003, 1007, 1008, 1009).</summary>
    WsClosed,

    /// <summary>Invalid UTF-8 in a text frame failed the connection (RFC 6455 §8.1), possibly without a visible close frame.</summary>
    WsDropped,

    /// <summary>A message the protocol accepts without an answer (<c>response.processed</c>).</summary>
    WsIgnored,

    /// <summary>The socket closed with 1011 or another unfitting code, or broke without a close: a server bug.</summary>
    WsBadClose,

    /// <summary>A slowloris connection held and released while the server kept answering others.</summary>
    SlowlorisSurvived,

    /// <summary>The server did not answer within the case timeout.</summary>
    Hang,

    /// <summary>The connection failed (refused, reset): the server may have crashed.</summary>
    TransportFailure,
}
