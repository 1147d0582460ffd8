using System.Net;

namespace Loopwire.Server.Auth;

/// <summary>
/// Where <c>loopwire serve</c> gets its API keys (<c>--api-key</c>, <c>LOOPWIRE_API_KEYS</c>, <c>--api-keys-file</c>), and the
/// rule that a server without keys only listens on loopback.
/// </summary>
public static class ApiKeySources
{
    /// <summary>The environment variable with comma-separated keys (<c>KEY</c> or <c>KEY=TENANT</c>).</summary>
    public const string EnvironmentVariable = "LOOPWIRE_API_KEYS";

    /// <summary>Splits the <see cref="EnvironmentVariable"/> value on commas; blanks are dropped.</summary>
    /// <param name="value">The variable's value, or null.</param>
    /// <returns>The keys, in order.</returns>
    public static IReadOnlyList<string> ParseList(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Reads a keys file: one <c>KEY</c> or <c>KEY=TENANT</c> per line; blank lines and <c>#</c> comments are skipped.</summary>
    /// <param name="path">The file.</param>
    /// <param name="keys">The keys, in file order.</param>
    /// <returns>Null, or an error naming the file and line.</returns>
    public static string? TryReadFile(string path, out IReadOnlyList<string> keys)
    {
        keys = [];
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"cannot read --api-keys-file '{path}': {ex.Message}";
        }

        var list = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int hash = line.IndexOf('#', StringComparison.Ordinal);
            line = (hash >= 0 ? line[..hash] : line).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq == 0 || line.Any(char.IsWhiteSpace) || (eq > 0 && eq == line.Length - 1))
            {
                return $"--api-keys-file '{path}' line {i + 1}: expected KEY or KEY=TENANT (no spaces).";
            }

            list.Add(line);
        }

        keys = list;
        return null;
    }

    /// <summary>Whether <paramref name="host"/> (as given to <c>--host</c>) only reaches this machine: 127.0.0.0/8, ::1 or localhost.</summary>
    /// <param name="host">A host name or address, IPv6 with or without brackets.</param>
    /// <returns>True for loopback; false for anything else, including wildcards (<c>0.0.0.0</c>, <c>::</c>, <c>*</c>, <c>+</c>).</returns>
    public static bool IsLoopbackHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        string h = host.Trim();
        if (h.StartsWith('[') && h.EndsWith(']'))
        {
            h = h[1..^1];
        }

        if (string.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(h, out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>The refusal <c>loopwire serve</c> prints when it would listen beyond loopback without keys; null when allowed.</summary>
    /// <param name="host">The <c>--host</c> value.</param>
    /// <param name="keyCount">How many API keys are configured from all sources.</param>
    /// <returns>Null, or the message.</returns>
    public static string? CheckBind(string host, int keyCount) =>
        keyCount > 0 || IsLoopbackHost(host)
            ? null
            : $"refusing to listen on '{host}' without API keys: anyone who can reach it could use the server. " +
              $"Add --api-key KEY (or --api-keys-file PATH, or {EnvironmentVariable}=KEY1,KEY2), or bind loopback with --host 127.0.0.1.";
}
