using System.Text.Json;
using Loopwire.Protocol.Requests;

namespace Loopwire.Agent.Tools;

/// <summary>The coding agent's tools: names and the function definitions offered to the model.</summary>
/// <remarks>
/// <see cref="WorkspaceToolRunner"/> implements them on a real workspace; <see cref="RecordedToolRunner"/> replays them.
/// The definitions are shared, immutable instances.
/// </remarks>
public static class CodingTools
{
    /// <summary><c>list_files {pattern}</c>: lists files matching a glob.</summary>
    public const string ListFiles = "list_files";

    /// <summary><c>grep {pattern, path_glob?, max_matches?}</c>: searches file contents with a regular expression.</summary>
    public const string Grep = "grep";

    /// <summary><c>read_file {path, start_line?, end_line?}</c>: reads a file or a range of its lines.</summary>
    public const string ReadFile = "read_file";

    /// <summary><c>edit_file {path, old, new}</c>: replaces text that occurs exactly once.</summary>
    public const string EditFile = "edit_file";

    /// <summary><c>run_tests {}</c>: runs the repository's test command.</summary>
    public const string RunTests = "run_tests";

    /// <summary>The five tool definitions, in the order above.</summary>
    public static IReadOnlyList<ToolDefinition> Definitions { get; } =
    [
        Function(
            ListFiles,
            "List the files of the repository whose relative path matches a glob. '*' matches within a path segment, '**' "
            + "matches any number of segments, '?' one character, '{a,b}' alternatives. A pattern without '/' matches file "
            + "names at any depth. Returns sorted relative paths, one per line.",
            """
            {"type":"object","properties":{"pattern":{"type":"string","description":"Glob such as **/*.py or src/**/test_*.py. Default **/*."}},"additionalProperties":false}
            """),
        Function(
            Grep,
            "Search the repository's text files line by line with a regular expression (.NET syntax). Returns matches as "
            + "'path:line: text'.",
            """
            {"type":"object","properties":{"pattern":{"type":"string","description":"Regular expression matched against each line."},"path_glob":{"type":"string","description":"Only search files matching this glob (same syntax as list_files)."},"max_matches":{"type":"integer","minimum":1,"description":"Stop after this many matches. Default 50."}},"required":["pattern"],"additionalProperties":false}
            """),
        Function(
            ReadFile,
            "Read a text file of the repository, or a range of its lines. Large outputs are truncated; read the rest with "
            + "start_line and end_line.",
            """
            {"type":"object","properties":{"path":{"type":"string","description":"Path relative to the repository root."},"start_line":{"type":"integer","minimum":1,"description":"First line to return, 1-based. Default 1."},"end_line":{"type":"integer","minimum":1,"description":"Last line to return, inclusive. Default: the last line."}},"required":["path"],"additionalProperties":false}
            """),
        Function(
            EditFile,
            "Edit a file by replacing the text 'old' with 'new'. 'old' must occur exactly once in the file; copy it exactly, "
            + "including indentation and line breaks, and include surrounding lines if it is not unique.",
            """
            {"type":"object","properties":{"path":{"type":"string","description":"Path relative to the repository root."},"old":{"type":"string","description":"The exact text to replace; must occur exactly once."},"new":{"type":"string","description":"The replacement text."}},"required":["path","old","new"],"additionalProperties":false}
            """),
        Function(
            RunTests,
            "Run the repository's test suite. The first line of the result is 'passed: N, failed: M', then the exit code and "
            + "the last lines of the output.",
            """
            {"type":"object","properties":{},"additionalProperties":false}
            """),
    ];

    private static ToolDefinition Function(string name, string description, string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return new ToolDefinition
        {
            Type = "function",
            Name = name,
            Description = description,
            Parameters = document.RootElement.Clone(),
        };
    }
}
