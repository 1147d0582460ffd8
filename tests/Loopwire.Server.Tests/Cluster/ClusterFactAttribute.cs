namespace Loopwire.Server.Tests.Cluster;

/// <summary>
/// A fact that needs nginx and PostgreSQL (the Debian <c>nginx</c> and <c>postgresql</c> packages): skipped with a
/// reason when either is missing, except under <c>CI=true</c>, where it runs and fails (CI must not pass without them).
/// </summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public ClusterFactAttribute() => Skip = SkipReason;

    /// <summary>The nginx binary, or null.</summary>
    public static string? Nginx { get; } = FindNginx();

    /// <summary>Why cluster tests skip here, or null when they run (declared after <see cref="Nginx"/>, which it reads).</summary>
    public static string? SkipReason { get; } = FindSkipReason();

    private static string? FindSkipReason()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (Nginx is null)
        {
            return "nginx is not installed (not on PATH nor /usr/sbin/nginx); install the Debian package 'nginx' to run the cluster test.";
        }

        bool postgres = Directory.Exists("/usr/lib/postgresql")
            && Directory.EnumerateDirectories("/usr/lib/postgresql").Any(d => File.Exists(Path.Combine(d, "bin", "initdb")));
        return postgres ? null : "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); install the 'postgresql' package to run the cluster test.";
    }

    private static string? FindNginx() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Select(d => Path.Combine(d, "nginx"))
            .FirstOrDefault(File.Exists);
}
