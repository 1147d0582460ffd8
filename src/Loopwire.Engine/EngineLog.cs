using Microsoft.Extensions.Logging;

namespace Loopwire.Engine;

internal static partial class EngineLog
{
    // A completed turn logs at Debug: at thousands of turns a second an Information line per turn costs more than the turn
    // (the console logger's queue lock and formatting); the turn record (/loopwire/v1/turns) and the metrics keep the figures.
    // Failed, incomplete and cancelled responses log at Information.
    [LoggerMessage(EventId = 1, Message =
        "Response {ResponseId} {Transport} {Status} context={Continuation} tokens in={InputTokens} cached={CachedTokens} out={OutputTokens} " +
        "rendered={TokensRendered} prefix_reused={PrefixTokensReused} " +
        "parse={ParseMs:F2}ms resolve={ResolveMs:F2}ms render={RenderMs:F2}ms validate={ValidateMs:F2}ms store={StoreMs:F2}ms ttft={TtftMs:F1}ms backend={BackendMs:F1}ms")]
    public static partial void ResponseFinished(ILogger logger, LogLevel level, string responseId, string transport, string status, string continuation,
        int inputTokens, int cachedTokens, int outputTokens, int tokensRendered, int prefixTokensReused, double parseMs, double resolveMs, double renderMs, double validateMs,
        double storeMs, double ttftMs, double backendMs);

    [LoggerMessage(2, LogLevel.Debug, "Response {ResponseId} cancelled after {ElapsedMs:F1}ms")]
    public static partial void ResponseCancelled(ILogger logger, string responseId, double elapsedMs);

    [LoggerMessage(3, LogLevel.Error, "Response {ResponseId} failed in the backend")]
    public static partial void BackendCrashed(ILogger logger, Exception exception, string responseId);

    [LoggerMessage(4, LogLevel.Warning, "Response {ResponseId} could not be stored as {Status}")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string responseId, string status);
}
