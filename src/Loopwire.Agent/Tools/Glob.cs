using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace Loopwire.Agent.Tools;

/// <summary>
/// Glob patterns over workspace-relative paths with '/' separators: '*' within a segment, '**' across segments,
/// '?' one character, '[abc]' classes, '{a,b}' alternatives. A pattern without '/' matches file names at any depth.
/// </summary>
internal sealed class Glob
{
    private readonly Regex _regex;

    private Glob(Regex regex) => _regex = regex;

    public bool IsMatch(string relativePath) => _regex.IsMatch(relativePath);

    public static bool TryParse(string pattern, [NotNullWhen(true)] out Glob? glob, [NotNullWhen(false)] out string? error)
    {
        glob = null;
        pattern = pattern.Replace('\\', '/').Trim();
        while (pattern.StartsWith("./", StringComparison.Ordinal))
        {
            pattern = pattern[2..];
        }

        if (pattern.Length == 0)
        {
            pattern = "**/*";
        }

        if (pattern.StartsWith('/'))
        {
            error = $"glob '{pattern}' is absolute; use a pattern relative to the repository root";
            return false;
        }

        if (!pattern.Contains('/', StringComparison.Ordinal))
        {
            pattern = "**/" + pattern;
        }

        var sb = new StringBuilder("^");
        int braces = 0;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    bool slashAfter = i + 2 < pattern.Length && pattern[i + 2] == '/';
                    sb.Append(slashAfter ? "(?:.*/)?" : ".*");
                    i += slashAfter ? 2 : 1;
                    break;
                case '*':
                    sb.Append("[^/]*");
                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '[':
                    int close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        error = $"glob '{pattern}' has an unclosed '['";
                        return false;
                    }

                    var cls = pattern[(i + 1)..close];
                    sb.Append('[').Append(cls.StartsWith('!') ? "^" + Regex.Escape(cls[1..]) : Regex.Escape(cls)).Append(']');
                    i = close;
                    break;
                case '{':
                    braces++;
                    sb.Append("(?:");
                    break;
                case '}' when braces > 0:
                    braces--;
                    sb.Append(')');
                    break;
                case ',' when braces > 0:
                    sb.Append('|');
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        if (braces != 0)
        {
            error = $"glob '{pattern}' has an unclosed '{{'";
            return false;
        }

        sb.Append('$');
        glob = new Glob(new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1)));
        error = null;
        return true;
    }
}
