using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Loopwire.Engine;
using Loopwire.Engine.Backends.ChatCompletions;
using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Http;

/// <summary>
/// <c>POST /v1/chat/completions</c>: the Chat Completions API over the same engine (and so the same routing: the
/// simulated model by default). Non-streaming answers one <c>chat.completion</c>; <c>stream: true</c> answers
/// <c>chat.completion.chunk</c>s as OpenAI sends them, ending with <c>data: [DONE]</c>. Nothing is stored.
/// </summary>
internal static class ChatCompletionsEndpoints
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost("/v1/chat/completions", CreateAsync);

    private static async Task CreateAsync(HttpContext context, ResponseEngine engine, IOptions<LoopwireServerOptions> options, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var (body, readError) = await HttpIo.ReadBodyAsync(context.Request, options.Value.MaxRequestBodyBytes, ct);
        if (readError is not null)
        {
            await HttpIo.WriteErrorAsync(context, readError);
            return;
        }

        long start = Stopwatch.GetTimestamp();
        ChatCompletionRequest? chat;
        Protocol.Requests.CreateResponseRequest? request;
        ProtocolError? error;
        using (body)
        {
            (chat, request, error) = ChatRequestReader.Read(body!.Value.Span);
        }

        if (error is not null)
        {
            await HttpIo.WriteErrorAsync(context, error);
            return;
        }

        bool stream = chat!.Stream == true;
        var timings = new TurnTimings { Transport = stream ? "chat-sse" : "chat", Parse = TurnTimings.Since(start) };
        var prepared = await engine.PrepareAsync(request!, new StoreContextSource(engine.Store, ResponsesEndpoints.TenantOf(context)), timings, ct);
        if (prepared.Error is not null)
        {
            await HttpIo.WriteErrorAsync(context, prepared.Error);
            return;
        }

        var p = prepared.Prepared!;
        string id = "chatcmpl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        long created = time.GetUtcNow().ToUnixTimeSeconds();
        if (stream)
        {
            await WriteChunksAsync(context, engine.StreamAsync(p, ct), id, created, chat.Model!, chat.StreamOptions?.IncludeUsage == true, ct);
            return;
        }

        await foreach (var _ in engine.StreamAsync(p, ct))
        {
        }

        if (p.Outcome is not { Error: null } outcome)
        {
            await HttpIo.WriteErrorAsync(context, p.Outcome?.Error ?? ProtocolError.Server("The response failed."));
            return;
        }

        var final = outcome.Response;

        var calls = final.Output.OfType<FunctionCallItem>().Select(c => new ChatToolCall
        {
            Id = c.CallId,
            Type = "function",
            Function = new ChatFunctionCall { Name = c.Name, Arguments = c.Arguments },
        }).ToList();
        string text = string.Concat(final.Output.OfType<MessageItem>().Select(m => m.Content.JoinedText()));
        string reasoning = string.Concat(final.Output.OfType<ReasoningItem>().SelectMany(r => r.Summary).Select(s => s.Text));
        var completion = new ChatCompletion
        {
            Id = id,
            Created = created,
            Model = chat.Model!,
            Choices =
            [
                new ChatCompletionChoice
                {
                    Message = new ChatMessage
                    {
                        Role = "assistant",
                        Content = text.Length == 0 && calls.Count > 0 ? null : new ChatContent(text, null),
                        ToolCalls = calls.Count > 0 ? calls : null,
                        ReasoningContent = reasoning.Length > 0 ? reasoning : null,
                    },
                    FinishReason = FinishReason(final, calls.Count > 0),
                },
            ],
            Usage = Usage(final.Usage),
        };
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, completion, ChatJsonContext.Default.ChatCompletion, ct);
    }

    /// <summary>Writes the engine's events as chat chunks: a role chunk, deltas, a finish chunk, the usage chunk, <c>[DONE]</c>.</summary>
    private static Task WriteChunksAsync(HttpContext context, IAsyncEnumerable<ResponseEvent> events, string id, long created, string model,
        bool includeUsage, CancellationToken ct)
    {
        HttpIo.StartSse(context.Response);
        return HttpIo.WriteSseAsync(context.Response, ChunksAsync(events, id, created, model, includeUsage, ct), static (_, writer, item) =>
        {
            if (item.Error is { } error)
            {
                JsonSerializer.Serialize(writer, error, ProtocolJsonContext.Wire.ErrorBody);
            }
            else
            {
                JsonSerializer.Serialize(writer, item.Chunk!, ChatJsonContext.Default.ChatCompletionChunk);
            }
        }, static _ => null, doneSentinel: true, ct);
    }

    /// <summary>One data-only SSE event of a chat stream: a chunk, or the error object OpenAI-compatible servers send mid-stream.</summary>
    private sealed record ChatStreamItem(ChatCompletionChunk? Chunk, ErrorBody? Error);

    private static async IAsyncEnumerable<ChatStreamItem> ChunksAsync(IAsyncEnumerable<ResponseEvent> events, string id, long created,
        string model, bool includeUsage, [EnumeratorCancellation] CancellationToken ct)
    {
        int calls = 0;
        ChatStreamItem Chunk(ChatDelta? delta, string? finishReason = null, ChatUsage? usage = null, bool noChoices = false) => new(new ChatCompletionChunk
        {
            Id = id,
            Object = "chat.completion.chunk",
            Created = created,
            Model = model,
            Choices = noChoices ? [] : [new ChatChunkChoice { Index = 0, Delta = delta ?? new ChatDelta(), FinishReason = finishReason }],
            Usage = usage,
        }, null);

        yield return Chunk(new ChatDelta { Role = "assistant", Content = "" });
        await foreach (var e in events.WithCancellation(ct).ConfigureAwait(false))
        {
            switch (e)
            {
                case OutputTextDeltaEvent t:
                    yield return Chunk(new ChatDelta { Content = t.Delta });
                    break;
                case ReasoningSummaryTextDeltaEvent r:
                    yield return Chunk(new ChatDelta { ReasoningContent = r.Delta });
                    break;
                case OutputItemAddedEvent { Item: FunctionCallItem f }:
                    yield return Chunk(new ChatDelta
                    {
                        ToolCalls = [new ChatToolCall { Index = calls++, Id = f.CallId, Type = "function", Function = new ChatFunctionCall { Name = f.Name, Arguments = "" } }],
                    });
                    break;
                case FunctionCallArgumentsDeltaEvent a:
                    yield return Chunk(new ChatDelta { ToolCalls = [new ChatToolCall { Index = calls - 1, Function = new ChatFunctionCall { Arguments = a.Delta } }] });
                    break;
                case ResponseCompletedEvent or ResponseIncompleteEvent:
                {
                    var final = ((ResponseLifecycleEvent)e).Response;
                    yield return Chunk(new ChatDelta(), FinishReason(final, calls > 0));
                    if (includeUsage)
                    {
                        yield return Chunk(null, usage: Usage(final.Usage), noChoices: true);
                    }

                    break;
                }

                case ResponseFailedEvent failed:
                {
                    // Mid-stream errors go out the way OpenAI-compatible servers send them: a data line with an error object.
                    var err = failed.Response.Error;
                    yield return new ChatStreamItem(null, new ErrorBody(new ErrorDetail(
                        err?.Message ?? "The response failed.", ErrorTypes.Server, null, err?.Code)));
                    break;
                }
            }
        }
    }

    private static string FinishReason(ResponseObject final, bool calledTools) => final.Status switch
    {
        ResponseStatus.Incomplete when final.IncompleteDetails?.Reason == "content_filter" => "content_filter",
        ResponseStatus.Incomplete => "length",
        _ => calledTools ? "tool_calls" : "stop",
    };

    private static ChatUsage? Usage(Usage? usage) => usage is null ? null : new ChatUsage
    {
        PromptTokens = usage.InputTokens,
        CompletionTokens = usage.OutputTokens,
        TotalTokens = usage.TotalTokens,
        PromptTokensDetails = new ChatPromptTokensDetails(usage.InputTokensDetails.CachedTokens),
        CompletionTokensDetails = new ChatCompletionTokensDetails(usage.OutputTokensDetails.ReasoningTokens),
    };
}
