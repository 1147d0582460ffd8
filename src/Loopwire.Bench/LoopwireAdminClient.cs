using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Loopwire.Bench;

/// <summary>Reads Loopwire's own (non-OpenAI) endpoints: the server's per-turn stage timings and its cost model.</summary>
internal sealed class LoopwireAdminClient : IDisposable
{
    private readonly HttpClient _http;

    public LoopwireAdminClient(Uri baseUrl, string? apiKey)
    {
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        }
    }

    /// <summary>The server's record of a response, or null if it no longer holds it.</summary>
    public async Task<TurnRecordDto?> GetTurnAsync(string responseId, CancellationToken ct)
    {
        using var resp = await _http.GetAsync(new Uri($"/loopwire/v1/turns?response_id={Uri.EscapeDataString(responseId)}", UriKind.Relative), ct)
            .ConfigureAwait(false);
        if (resp.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        resp.EnsureSuccessStatusCode();
        var list = await resp.Content.ReadFromJsonAsync(AdminJsonContext.Default.TurnListDto, ct).ConfigureAwait(false);
        return list?.Data.FirstOrDefault();
    }

    /// <summary>The simulated model's cost model.</summary>
    public async Task<CostModelListDto> GetCostModelAsync(CancellationToken ct) =>
        await _http.GetFromJsonAsync(new Uri("/loopwire/v1/cost-model", UriKind.Relative), AdminJsonContext.Default.CostModelListDto, ct)
            .ConfigureAwait(false) ?? throw new InvalidOperationException("The server returned no cost model.");

    public void Dispose() => _http.Dispose();
}

internal sealed record TurnListDto(IReadOnlyList<TurnRecordDto> Data);

internal sealed record TurnRecordDto(
    string ResponseId,
    string Transport,
    string Status,
    double ParseMs,
    double ResolveMs,
    double RenderMs,
    double ValidateMs,
    double OverheadMs,
    double BackendTtftMs,
    int ItemsReceived,
    int TokensRendered,
    int PromptTokens,
    int CachedTokens,
    int OutputTokens,
    bool FromCache);

internal sealed record CostModelDto(string Model, double BaseLatencyMs, double PrefillTokensPerSecond, double DecodeTokensPerSecond);

internal sealed record CostModelListDto(IReadOnlyList<CostModelDto> Data, string DefaultProfile, int PrefixCacheBlockTokens);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TurnListDto))]
[JsonSerializable(typeof(CostModelListDto))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
