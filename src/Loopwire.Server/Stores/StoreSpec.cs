using Loopwire.Engine.Stores;
using Loopwire.Engine.Stores.Postgres;

namespace Loopwire.Server.Stores;

/// <summary>Reads a store spec (<c>memory</c>, <c>sqlite:PATH</c>, <c>postgres:CONNECTION STRING</c>) and describes it safely.</summary>
internal static class StoreSpec
{
    public const string SqlitePrefix = "sqlite:";
    public const string PostgresPrefix = "postgres:";

    /// <summary>Creates the store a spec names; null (with <paramref name="error"/>) when the spec is not valid.</summary>
    /// <remarks>Opens nothing remote: a PostgreSQL store connects when the server starts (<see cref="StoreStartup"/>).</remarks>
    public static IResponseStore? TryCreate(string spec, out string? error)
    {
        error = null;
        if (string.Equals(spec, "memory", StringComparison.OrdinalIgnoreCase))
        {
            return new MemoryResponseStore();
        }

        if (spec.StartsWith(SqlitePrefix, StringComparison.OrdinalIgnoreCase) && spec.Length > SqlitePrefix.Length)
        {
            return new SqliteResponseStore(spec[SqlitePrefix.Length..]);
        }

        if (spec.StartsWith(PostgresPrefix, StringComparison.OrdinalIgnoreCase) && spec.Length > PostgresPrefix.Length)
        {
            try
            {
                return new PostgresResponseStore(spec[PostgresPrefix.Length..]);
            }
            catch (ArgumentException)
            {
                // The driver's message may quote the string; say only that it is wrong.
                error = "Loopwire:Store has a PostgreSQL connection string that is not valid (expected Host=…;Database=…;Username=…;Password=…).";
                return null;
            }
        }

        error = $"Loopwire:Store must be 'memory', 'sqlite:PATH' or 'postgres:CONNECTION STRING', got '{Describe(spec)}'.";
        return null;
    }

    /// <summary>The spec as it may be shown in logs and messages: a PostgreSQL connection string loses its password.</summary>
    public static string Describe(string spec)
    {
        if (spec.StartsWith(PostgresPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return PostgresPrefix + PostgresResponseStore.Redact(spec[PostgresPrefix.Length..]);
        }

        // Anything else could be a mistyped connection string; keep only the part before a ';' or '='.
        int cut = spec.IndexOfAny([';', '=']);
        return cut < 0 ? spec : spec[..cut] + "…";
    }
}
