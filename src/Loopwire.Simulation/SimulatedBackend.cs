using System.Runtime.CompilerServices;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Compaction;
using Loopwire.Engine.Context;
using Loopwire.Engine.Rendering;

namespace Loopwire.Simulation;

/// <summary>Options of the simulated model.</summary>
public sealed class SimulatedOptions
{
    /// <summary>Extra or overriding profiles, by name.</summary>
    public List<SimulatedProfile> Profiles { get; } = [.. SimulatedProfile.BuiltIn];

    /// <summary>The profile used for model names that are not a profile. <value>sim-spark.</value></summary>
    public string DefaultProfile { get; set; } = SimulatedProfile.Spark.Name;

    /// <summary>Policies tried in order before the generic one (scenario oracles).</summary>
    public List<ISimulatedPolicy> Policies { get; } = [];
}

/// <summary>
/// The embedded simulated model. Cost model: TTFT = base + prefill per uncached prompt token (a prefix cache over
/// rendered-token blocks, shared by all requests), then decode at the profile's tokens/s. Output is a deterministic
/// function of the full rendered context.
/// </summary>
public sealed class SimulatedBackend : IModelBackend, ICompactionBackend, IContextWindowSource
{
    private readonly SimulatedOptions _options;
    private readonly ITokenRenderer _renderer;
    private readonly TimeProvider _time;
    private readonly GenericPolicy _generic = new();

    /// <summary>Creates the backend.</summary>
    public SimulatedBackend(SimulatedOptions options, ITokenRenderer renderer, TimeProvider time, PrefixCache? cache = null)
    {
        _options = options;
        _renderer = renderer;
        _time = time;
        Cache = cache ?? new PrefixCache();
        if (ProfileByName(options.DefaultProfile) is null)
        {
            throw new ArgumentException($"Unknown default profile '{options.DefaultProfile}'. Known: {string.Join(", ", options.Profiles.Select(p => p.Name))}.", nameof(options));
        }
    }

    /// <summary>The shared prefix cache.</summary>
    public PrefixCache Cache { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Models => _options.Profiles.Select(p => p.Name).ToList();

    /// <summary>The profile serving <paramref name="model"/>.</summary>
    public SimulatedProfile ProfileFor(string model) => ProfileByName(model) ?? ProfileByName(_options.DefaultProfile)!;

    /// <inheritdoc />
    public IAsyncEnumerable<ModelChunk> StreamAsync(ModelRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Conversation.Rendered is null)
        {
            throw new ArgumentException("The conversation must be rendered.", nameof(request));
        }

        return StreamCoreAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public bool PassesCompactionThrough => false;

    /// <inheritdoc />
    public int? ContextWindow(string model) => ProfileFor(model).ContextWindow;

    /// <inheritdoc />
    /// <remarks>
    /// Deterministic (<see cref="SimulatedCompaction"/>). It costs what a turn writing the summary costs: time to first
    /// token over the uncached prompt, then the summary's tokens at the decode rate.
    /// </remarks>
    public async Task<CompactionResult> CompactAsync(ModelRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var profile = ProfileFor(request.Model);
        var rendered = request.Conversation.Rendered;
        int uncached = 0;
        if (rendered is not null)
        {
            int cached = Math.Min(Cache.LookupAndInsert(rendered) * RenderedContext.BlockSize, rendered.TotalTokens);
            uncached = rendered.TotalTokens - cached;
        }

        string summary = SimulatedCompaction.Summarize(request.Conversation.Items);
        int tokens = _renderer.CountTokens(summary);
        long start = _time.GetTimestamp();
        await DelayUntil(start, profile.TimeToFirstToken(uncached) + profile.DecodeTime(tokens), cancellationToken).ConfigureAwait(false);
        return CompactionResult.FromSummary(summary, tokens);
    }

    private SimulatedProfile? ProfileByName(string name) =>
        _options.Profiles.LastOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private async IAsyncEnumerable<ModelChunk> StreamCoreAsync(ModelRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        var profile = ProfileFor(request.Model);
        var rendered = request.Conversation.Rendered!;
        int cachedBlocks = Cache.LookupAndInsert(rendered);
        int cached = Math.Min(cachedBlocks * RenderedContext.BlockSize, rendered.TotalTokens);
        int uncached = rendered.TotalTokens - cached;

        long start = _time.GetTimestamp();
        await DelayUntil(start, profile.TimeToFirstToken(uncached), ct).ConfigureAwait(false);
        yield return new PromptProcessed(cached);

        ulong seed = rendered.ContextHash();
        SimulatedPlan plan = Plan(request, seed);

        // Output is scheduled from the first token: chunk i is due when its share of the decode time has passed.
        var chunks = new List<ModelChunk>(Pieces(plan.Reasoning) + Pieces(plan.Text) + plan.Calls.Sum(c => 1 + (c.Arguments.Length + JsonPiece - 1) / JsonPiece));
        if (plan.Reasoning is not null)
        {
            AddWords(chunks, plan.Reasoning, static s => new ReasoningDelta(s));
        }

        if (plan.Text is not null)
        {
            AddWords(chunks, plan.Text, static s => new TextDelta(s));
        }

        int index = 0;
        foreach (var call in plan.Calls)
        {
            if (call.Custom)
            {
                // A custom tool's input is free text, streamed in the same fixed-size pieces.
                chunks.Add(new CustomToolCallStart(CallId(seed, index++), call.Name));
                AddJson(chunks, call.Arguments, static s => new CustomToolCallInputDelta(s));
                continue;
            }

            chunks.Add(new ToolCallStart(CallId(seed, index++), call.Name));
            AddJson(chunks, call.Arguments, static s => new ToolCallArgumentsDelta(s));
        }

        int reasoningTokens = plan.Reasoning is null ? 0 : _renderer.CountTokens(plan.Reasoning);
        int outputTokens = reasoningTokens + (plan.Text is null ? 0 : _renderer.CountTokens(plan.Text))
            + plan.Calls.Sum(c => _renderer.CountTokens(c.Name) + _renderer.CountTokens(c.Arguments) + 4);
        int max = request.Request.MaxOutputTokens ?? int.MaxValue;
        string? incomplete = null;
        if (outputTokens > max)
        {
            // Cut the stream where the token budget runs out; the response is incomplete.
            int keep = Math.Max(1, (int)((long)chunks.Count * max / outputTokens));
            chunks = chunks.Take(keep).Where(c => c is not (ToolCallStart or CustomToolCallStart) || keep > 1).ToList();
            outputTokens = max;
            incomplete = "max_output_tokens";
        }

        var decode = profile.DecodeTime(outputTokens);
        long firstToken = _time.GetTimestamp();
        for (int i = 0; i < chunks.Count; i++)
        {
            if (decode > TimeSpan.Zero)
            {
                await DelayUntil(firstToken, decode * ((i + 1) / (double)chunks.Count), ct).ConfigureAwait(false);
            }
            else
            {
                ct.ThrowIfCancellationRequested();
            }

            yield return chunks[i];
        }

        yield return new ModelFinished(outputTokens, incomplete, reasoningTokens);
    }

    private SimulatedPlan Plan(ModelRequest request, ulong seed)
    {
        foreach (var policy in _options.Policies)
        {
            if (policy.Plan(request, seed) is { } plan)
            {
                return plan;
            }
        }

        return _generic.Plan(request, seed)!;
    }

    private async Task DelayUntil(long start, TimeSpan offset, CancellationToken ct)
    {
        var remaining = offset - _time.GetElapsedTime(start);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _time, ct).ConfigureAwait(false);
        }
        else
        {
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Call ids derive from the context so a replayed conversation gets the same ids.</summary>
    private static string CallId(ulong seed, int index) =>
        "call_" + unchecked(seed * 0x9E3779B97F4A7C15UL + (ulong)index * 0xBF58476D1CE4E5B9UL).ToString("x16") + index.ToString("x2");

    /// <summary>The chunks <see cref="AddWords"/> makes of <paramref name="text"/> (one per space, plus one).</summary>
    private static int Pieces(string? text) => text is null ? 0 : text.AsSpan().Count(' ') + 1;

    /// <summary>Adds <paramref name="text"/> word by word, each piece starting at a space (a model's tokens do).</summary>
    private static void AddWords(List<ModelChunk> chunks, string text, Func<string, ModelChunk> piece)
    {
        int start = 0;
        for (int i = text.Length > 1 ? text.IndexOf(' ', 1) : -1; i > 0; i = text.IndexOf(' ', i + 1))
        {
            chunks.Add(piece(text[start..i]));
            start = i;
        }

        if (start < text.Length)
        {
            chunks.Add(piece(text[start..]));
        }
    }

    private const int JsonPiece = 12;

    /// <summary>Adds <paramref name="json"/> in pieces of a fixed size.</summary>
    private static void AddJson(List<ModelChunk> chunks, string json, Func<string, ModelChunk> piece)
    {
        for (int i = 0; i < json.Length; i += JsonPiece)
        {
            chunks.Add(piece(json.Substring(i, Math.Min(JsonPiece, json.Length - i))));
        }
    }
}
