using System.Net.Http.Json;
using Loopwire.Protocol.Admin;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Bench;

/// <summary>Reads Loopwire's own (non-OpenAI) endpoints: the server's per-turn stage timings and its cost model (<see cref="Protocol.Admin"/> payloads).</summary>
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
    public async Task<TurnStages?> GetTurnAsync(string responseId, CancellationToken ct)
    {
        using var resp = await _http.GetAsync(new Uri($"/loopwire/v1/turns?response_id={Uri.EscapeDataString(responseId)}", UriKind.Relative), ct)
            .ConfigureAwait(false);
        if (resp.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        resp.EnsureSuccessStatusCode();
        var list = await resp.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.TurnList, ct).ConfigureAwait(false);
        return list?.Data.FirstOrDefault();
    }

    /// <summary>The simulated model's cost model.</summary>
    public async Task<CostModelList> GetCostModelAsync(CancellationToken ct) =>
        await _http.GetFromJsonAsync(new Uri("/loopwire/v1/cost-model", UriKind.Relative), ProtocolJsonContext.Default.CostModelList, ct)
            .ConfigureAwait(false) ?? throw new InvalidOperationException("The server returned no cost model.");

    public void Dispose() => _http.Dispose();
}
