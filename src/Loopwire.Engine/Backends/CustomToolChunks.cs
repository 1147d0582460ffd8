namespace Loopwire.Engine.Backends;

/// <summary>A custom (free-form) tool call starts; its input follows as <see cref="CustomToolCallInputDelta"/>.</summary>
/// <param name="CallId">The call id.</param>
/// <param name="Name">The custom tool's name.</param>
public sealed record CustomToolCallStart(string CallId, string Name) : ModelChunk;

/// <summary>A fragment of the current custom tool call's raw input text.</summary>
/// <param name="Delta">The fragment.</param>
public sealed record CustomToolCallInputDelta(string Delta) : ModelChunk;
