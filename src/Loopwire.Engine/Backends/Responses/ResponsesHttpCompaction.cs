using System.Text.Json;
using Loopwire.Engine.Compaction;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Engine.Backends.Responses;

/// <summary>Compaction through a Responses upstream: its own <c>POST /responses/compact</c>, passed through unchanged.</summary>
public sealed partial class ResponsesHttpBackend : ICompactionBackend
{
    /// <inheritdoc />
    public bool PassesCompactionThrough => true;

    /// <inheritdoc />
    /// <remarks>The upstream's output (its user messages and its compaction item) is returned as it came.</remarks>
    public async Task<CompactionResult> CompactAsync(ModelRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var compact = new CreateResponseRequest
        {
            Model = request.Model,
            Input = request.Conversation.Items.Where(i => i is not ReasoningItem and not CompactionTriggerItem)
                .Select(CompactionForUpstream.Item).Select(i => i.Id is null ? i : i with { Id = null }).ToList(),
            Instructions = request.Request.Instructions,
            PromptCacheKey = request.Request.PromptCacheKey,
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(compact, ProtocolJsonContext.Wire.CreateResponseRequest);
        var call = await _http.PostStreamAsync("responses/compact", body, cancellationToken).ConfigureAwait(false);
        await using var callScope = call.ConfigureAwait(false);
        if (call.Failure is { } failure)
        {
            return CompactionResult.Failed(failure);
        }

        try
        {
            using var doc = await JsonDocument.ParseAsync(call.Body!, default, call.Token).ConfigureAwait(false);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("output", out var output))
            {
                return CompactionResult.Failed(Protocol($"the compaction answer of upstream '{name}' has no 'output'."));
            }

            int outputTokens = root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
                && usage.TryGetProperty("output_tokens", out var ot) && ot.TryGetInt32(out int n) ? n : 0;
            return new CompactionResult(null, ItemReader.ReadItems(output), outputTokens, null);
        }
        catch (Exception ex) when (ex is JsonException or ProtocolException)
        {
            return CompactionResult.Failed(Protocol($"the compaction answer of upstream '{name}' is not valid: {ex.Message}"));
        }
        catch (Exception ex) when (call.TryClassify(ex, out var broken))
        {
            return CompactionResult.Failed(broken!);
        }
    }

    private static ModelFailed Protocol(string message) =>
        new(ErrorCodes.UpstreamProtocolError, "Upstream protocol error: " + message, 502);
}
