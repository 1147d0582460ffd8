using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Loopwire.Agent.Tools;

/// <summary>
/// Collects the lines of a test run: keeps a bounded tail and parses the counts of python unittest ("Ran N tests",
/// "OK", "FAILED (failures=a, errors=b)") and node --test ("# pass N", "# fail M", or the spec reporter's "ℹ pass N").
/// </summary>
/// <remarks>Thread-safe: stdout and stderr are fed from two readers.</remarks>
internal sealed partial class TestOutputCollector
{
    private const int MaxLineChars = 400;

    private readonly Lock _lock = new();
    private readonly Queue<string> _tail = new();
    private readonly int _tailLines;
    private readonly string _root;
    private long _lines;

    private int? _ran;
    private int _failures;
    private int _errors;
    private int _skipped;
    private int _expectedFailures;
    private int _unexpectedSuccesses;
    private int? _nodePass;
    private int? _nodeFail;
    private int _nodeCancelled;

    public TestOutputCollector(int tailLines, string workspaceRoot)
    {
        _tailLines = tailLines;
        _root = workspaceRoot;
    }

    public void Add(string line)
    {
        line = Normalize(line);
        lock (_lock)
        {
            _lines++;
            Parse(line);
            _tail.Enqueue(line.Length > MaxLineChars ? string.Concat(line.AsSpan(0, MaxLineChars), " [line truncated]") : line);
            if (_tail.Count > _tailLines)
            {
                _tail.Dequeue();
            }
        }
    }

    public (int Passed, int Failed) Counts()
    {
        lock (_lock)
        {
            if (_nodePass is not null || _nodeFail is not null)
            {
                return (_nodePass ?? 0, (_nodeFail ?? 0) + _nodeCancelled);
            }

            if (_ran is { } ran)
            {
                int failed = _failures + _errors + _unexpectedSuccesses;
                return (Math.Max(0, ran - failed - _skipped - _expectedFailures), failed);
            }

            return (0, 0);
        }
    }

    public string Tail(int maxBytes)
    {
        lock (_lock)
        {
            var sb = new StringBuilder();
            long hidden = _lines - _tail.Count;
            if (hidden > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"[... {hidden} earlier lines not shown]\n");
            }

            foreach (var line in _tail)
            {
                sb.Append(line).Append('\n');
            }

            return OutputLimits.KeepEnd(sb.ToString(), maxBytes);
        }
    }

    private string Normalize(string line)
    {
        // Workspace paths (tracebacks) and timings would make results differ between otherwise identical runs.
        line = line.Replace(_root + "/", "", StringComparison.Ordinal).Replace(_root, ".", StringComparison.Ordinal);
        return PythonRanRegex().Replace(line, "$1");
    }

    private void Parse(string line)
    {
        if (PythonRanCountRegex().Match(line) is { Success: true } ran)
        {
            _ran = int.Parse(ran.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            _failures = _errors = _skipped = _expectedFailures = _unexpectedSuccesses = 0;
            return;
        }

        if (PythonResultRegex().Match(line) is { Success: true } result)
        {
            foreach (Match part in PythonCountRegex().Matches(result.Groups[1].Value))
            {
                int n = int.Parse(part.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
                switch (part.Groups[1].Value)
                {
                    case "failures": _failures = n; break;
                    case "errors": _errors = n; break;
                    case "skipped": _skipped = n; break;
                    case "expected failures": _expectedFailures = n; break;
                    case "unexpected successes": _unexpectedSuccesses = n; break;
                }
            }

            return;
        }

        if (NodeCountRegex().Match(line) is { Success: true } node)
        {
            int n = int.Parse(node.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
            switch (node.Groups[1].Value)
            {
                case "pass": _nodePass = n; break;
                case "fail": _nodeFail = n; break;
                case "cancelled": _nodeCancelled = n; break;
            }
        }
    }

    [GeneratedRegex(@"^(Ran (\d+) tests?) in \d+(?:\.\d+)?s$")]
    private static partial Regex PythonRanRegex();

    [GeneratedRegex(@"^Ran (\d+) tests?$")]
    private static partial Regex PythonRanCountRegex();

    [GeneratedRegex(@"^(?:OK|FAILED)(?: \((.*)\))?$")]
    private static partial Regex PythonResultRegex();

    [GeneratedRegex(@"(failures|errors|skipped|expected failures|unexpected successes)=(\d+)")]
    private static partial Regex PythonCountRegex();

    [GeneratedRegex(@"^(?:#|ℹ) (pass|fail|cancelled) (\d+)$")]
    private static partial Regex NodeCountRegex();
}
