using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopwire.Bench.Overhead;

/// <summary>Settings of <c>loopwire bench overhead</c>.</summary>
public sealed record OverheadSettings
{
    /// <summary>History sizes in (approximate) tokens. <value>1k, 10k, 50k, 100k.</value></summary>
    public IReadOnlyList<int> HistoryTokens { get; init; } = [1_000, 10_000, 50_000, 100_000];

    /// <summary>Arms to measure. <value>all four.</value></summary>
    public IReadOnlyList<string> Arms { get; init; } = OverheadBenchmark.AllArms;

    /// <summary>Measured turns per cell. <value>15.</value></summary>
    public int Turns { get; init; } = 15;

    /// <summary>Unmeasured turns first (JIT, caches). <value>3.</value></summary>
    public int WarmupTurns { get; init; } = 3;

    /// <summary>The model (no delay keeps the run short; overhead does not depend on it). <value>sim-instant.</value></summary>
    public string Model { get; init; } = "sim-instant";
}

/// <summary>One cell: an arm at a history size.</summary>
public sealed record OverheadCell(
    string Arm,
    int TargetHistoryTokens,
    int PromptTokensMedian,
    double OverheadMsMedian,
    double OverheadMsP90,
    double ParseMsMedian,
    double ResolveMsMedian,
    double RenderMsMedian,
    double ValidateMsMedian,
    int TokensRenderedMedian,
    long RequestBytesMedian,
    int Turns);

/// <summary>The whole result.</summary>
public sealed record OverheadResult(string Machine, string Model, IReadOnlyList<OverheadCell> Cells);

/// <summary>
/// Measures the server's own per-turn overhead (parse + resolve + render + validate: from the request's last byte to the
/// model call, as the server's stage timings report it) for a continuation at several history sizes, per transport arm.
/// </summary>
public static class OverheadBenchmark
{
    /// <summary>The arms.</summary>
    public static readonly IReadOnlyList<string> AllArms = ["http-stateless", "http-chained", "ws-full", "ws"];

    /// <summary>Runs the benchmark against a server at <paramref name="baseUrl"/>.</summary>
    public static async Task<OverheadResult> RunAsync(Uri baseUrl, string? apiKey, OverheadSettings settings,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var cells = new List<OverheadCell>();
        using var admin = new LoopwireAdminClient(baseUrl, apiKey);

        // Warm the server up first (JIT tiering, tokenizer caches), so the first cells do not pay for it.
        if (settings.HistoryTokens.Count > 0)
        {
            progress?.Report("warming up");
            var largest = HistoryBuilder.Build(settings.HistoryTokens.Max());
            foreach (var arm in settings.Arms)
            {
                await RunCellAsync(baseUrl, apiKey, arm, largest, settings with { Turns = 0 }, ct).ConfigureAwait(false);
            }
        }

        foreach (int size in settings.HistoryTokens)
        {
            var history = HistoryBuilder.Build(size);
            foreach (var arm in settings.Arms)
            {
                progress?.Report($"{arm} at {size:N0} tokens");
                var ids = await RunCellAsync(baseUrl, apiKey, arm, history, settings, ct).ConfigureAwait(false);
                var records = new List<Protocol.Admin.TurnStages>();
                foreach (var (id, _) in ids)
                {
                    records.Add(await admin.GetTurnAsync(id, ct).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"The server has no turn record for {id}."));
                }

                cells.Add(new OverheadCell(arm, size,
                    (int)Matrix.Stats.Median(records.Select(r => (double)r.PromptTokens)),
                    Matrix.Stats.Median(records.Select(r => r.OverheadMs)),
                    Matrix.Stats.Percentile(records.Select(r => r.OverheadMs), 0.9),
                    Matrix.Stats.Median(records.Select(r => r.ParseMs)),
                    Matrix.Stats.Median(records.Select(r => r.ResolveMs)),
                    Matrix.Stats.Median(records.Select(r => r.RenderMs)),
                    Matrix.Stats.Median(records.Select(r => r.ValidateMs)),
                    (int)Matrix.Stats.Median(records.Select(r => (double)r.TokensRendered)),
                    (long)Matrix.Stats.Median(ids.Select(i => (double)i.Bytes)),
                    records.Count));
            }
        }

        return new OverheadResult($"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}", settings.Model, cells);
    }

    private static async Task<List<(string Id, long Bytes)>> RunCellAsync(Uri baseUrl, string? apiKey, string arm, IReadOnlyList<byte[]> history,
        OverheadSettings s, CancellationToken ct)
    {
        bool ws = arm is "ws" or "ws-full";
        IRawResponsesClient client = ws
            ? await RawWebSocketClient.ConnectAsync(baseUrl, apiKey, ct).ConfigureAwait(false)
            : new RawHttpClient(baseUrl, apiKey);
        await using var clientScope = client.ConfigureAwait(false);
        var local = new List<byte[]>(history);
        string? previous = null;
        if (arm is "http-chained" or "ws")
        {
            // Set-up: the server learns the history once; the measured turns then send only the new item.
            var first = await client.SendAsync(Body(s.Model, store: arm == "http-chained", previous: null, local, generate: arm == "ws" ? false : null), ct)
                .ConfigureAwait(false);
            previous = first.Id;
            local.AddRange(first.Output);
        }

        var measured = new List<(string, long)>();
        for (int turn = 0; turn < s.WarmupTurns + s.Turns; turn++)
        {
            var item = HistoryBuilder.UserMessage($"Turn {turn}: please continue with the next step and report what you found.");
            byte[] body = arm switch
            {
                "http-stateless" or "ws-full" => Body(s.Model, store: false, previous: null, [.. local, item], generate: null),
                "http-chained" => Body(s.Model, store: true, previous, [item], generate: null),
                "ws" => Body(s.Model, store: false, previous, [item], generate: null),
                _ => throw new ArgumentException($"Unknown arm '{arm}'. Known: {string.Join(", ", AllArms)}."),
            };
            var r = await client.SendAsync(body, ct).ConfigureAwait(false);
            local.Add(item);
            local.AddRange(r.Output);
            previous = r.Id;
            if (turn >= s.WarmupTurns)
            {
                measured.Add((r.Id, body.Length));
            }
        }

        return measured;
    }

    internal static byte[] Body(string model, bool store, string? previous, IReadOnlyList<byte[]> items, bool? generate)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteBoolean("store", store);
            if (previous is not null)
            {
                w.WriteString("previous_response_id", previous);
            }

            if (generate is { } g)
            {
                w.WriteBoolean("generate", g);
            }

            w.WriteStartArray("input");
            foreach (var i in items)
            {
                w.WriteRawValue(i, skipInputValidation: true);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return ms.ToArray();
    }
}

/// <summary>Builds a realistic agent history: user asks, the model reads files, tools return code.</summary>
internal static class HistoryBuilder
{
    private static readonly string[] Words =
    [
        "def", "return", "self", "value", "if", "else", "for", "in", "range", "import", "class", "config", "result", "item",
        "None", "True", "False", "assert", "len", "list", "dict", "path", "open", "read", "write", "test", "error", "raise",
        "parse", "token", "buffer", "index", "count", "total", "name", "data", "key", "cache", "state", "request",
    ];

    /// <summary>A coding-agent history of about <paramref name="targetTokens"/> tokens: a task, then read_file calls and their outputs.</summary>
    /// <param name="targetTokens">The size.</param>
    /// <param name="seed">Which history: equal seeds give equal bytes; by default the size is the seed.</param>
    public static IReadOnlyList<byte[]> Build(int targetTokens, int? seed = null)
    {
        var items = new List<byte[]> { UserMessage("Find and fix the bug in the parser; the tests in tests/ show it. Read the files you need.") };
        var rng = new Random(seed ?? targetTokens);
        int tokens = 30;
        int n = 0;
        while (tokens < targetTokens)
        {
            string callId = $"call_hist{n:D4}";
            int chunk = Math.Min(900, Math.Max(50, targetTokens - tokens));
            items.Add(Json(w =>
            {
                w.WriteString("type", "function_call");
                w.WriteString("call_id", callId);
                w.WriteString("name", "read_file");
                w.WriteString("arguments", $$"""{"path":"src/module_{{n}}.py"}""");
            }));
            items.Add(Json(w =>
            {
                w.WriteString("type", "function_call_output");
                w.WriteString("call_id", callId);
                w.WriteString("output", Code(rng, chunk));
            }));
            tokens += chunk + 30;
            n++;
        }

        return items;
    }

    public static byte[] UserMessage(string text) => Json(w =>
    {
        w.WriteString("type", "message");
        w.WriteString("role", "user");
        w.WriteString("content", text);
    });

    private static string Code(Random rng, int tokens)
    {
        var sb = new StringBuilder(tokens * 5);
        for (int i = 0; i < tokens; i++)
        {
            sb.Append(Words[rng.Next(Words.Length)]);
            sb.Append(i % 12 == 11 ? "\n    " : " ");
        }

        return sb.ToString();
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return ms.ToArray();
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(OverheadResult))]
internal sealed partial class OverheadJsonContext : JsonSerializerContext;
