namespace Loopwire.Engine.Backends;

/// <summary>A fragment of a refusal (an upstream model declined); it becomes a <c>refusal</c> content part, not text.</summary>
/// <param name="Text">The fragment.</param>
public sealed record RefusalDelta(string Text) : ModelChunk;

/// <summary>A fragment of raw reasoning text (<c>reasoning_text</c> content of a reasoning item), as opposed to its summary.</summary>
/// <param name="Text">The fragment.</param>
public sealed record ReasoningTextDelta(string Text) : ModelChunk;

/// <summary>The upstream's opaque <c>encrypted_content</c> of the reasoning item being streamed; kept as it came.</summary>
/// <param name="EncryptedContent">The opaque content.</param>
public sealed record ReasoningEncryptedContent(string EncryptedContent) : ModelChunk;
