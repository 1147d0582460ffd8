using Npgsql;

namespace Loopwire.Engine.Stores.Postgres;

/// <summary>The versioned schema of the PostgreSQL store and the code that brings a database up to date.</summary>
/// <remarks>
/// Each migration runs once, in order, and is recorded in <c>loopwire_schema_migrations</c>. All of them run in one
/// transaction that first takes <c>pg_advisory_xact_lock</c>, so nodes starting at the same time apply them once:
/// the others wait for the lock, then find them recorded. PostgreSQL DDL is transactional, so a failed migration
/// leaves the database as it was. Append new migrations; never edit an applied one.
/// </remarks>
internal static class PostgresMigrations
{
    /// <summary>The advisory lock key of the migrations ("Loopwire" in ASCII).</summary>
    public const long MigrationLockKey = 0x4C6F_6F70_7769_7265;

    /// <summary>The advisory lock key of the retention sweep; one node sweeps at a time.</summary>
    public const long SweepLockKey = MigrationLockKey + 1;

    /// <summary>The advisory lock key of the sweep of expired background leases; one node sweeps at a time.</summary>
    public const long LeaseSweepLockKey = MigrationLockKey + 2;

    /// <summary>The LISTEN/NOTIFY channel of cancel requests; the payload is the response id.</summary>
    public const string CancelChannel = "loopwire_cancel";

    /// <summary>The migrations, oldest first; the version is the position plus one.</summary>
    public static IReadOnlyList<(string Name, string Sql)> All { get; } =
    [
        ("responses and items", """
            CREATE TABLE responses (
                id text NOT NULL PRIMARY KEY,
                previous_response_id text NULL,
                tenant text NULL,
                created_at bigint NOT NULL,
                response_json bytea NOT NULL,
                input_json bytea NOT NULL
            );
            CREATE INDEX responses_by_created_at ON responses (created_at);
            CREATE TABLE items (
                seq bigint GENERATED ALWAYS AS IDENTITY,
                item_id text NOT NULL,
                response_id text NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
                tenant text NULL,
                item_json bytea NOT NULL,
                PRIMARY KEY (item_id, response_id)
            );
            CREATE INDEX items_by_response ON items (response_id);
            CREATE INDEX items_by_item ON items (item_id, seq);
            """),
        ("background event logs and leases", """
            CREATE TABLE background_events (
                response_id text NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
                seq integer NOT NULL,
                event_json bytea NOT NULL,
                PRIMARY KEY (response_id, seq)
            );
            CREATE TABLE background_leases (
                response_id text NOT NULL PRIMARY KEY REFERENCES responses (id) ON DELETE CASCADE,
                tenant text NULL,
                node text NOT NULL,
                expires_at bigint NOT NULL,
                cancel_requested boolean NOT NULL DEFAULT false
            );
            CREATE INDEX background_leases_by_expiry ON background_leases (expires_at);
            """),
        ("conversations and their items", """
            CREATE TABLE conversations (
                id text NOT NULL PRIMARY KEY,
                tenant text NULL,
                created_at bigint NOT NULL,
                metadata_json bytea NOT NULL,
                lock_owner text NULL,
                lock_until bigint NULL
            );
            CREATE TABLE conversation_items (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                conversation_id text NOT NULL,
                item_id text NOT NULL,
                item_json bytea NOT NULL
            );
            CREATE INDEX conversation_items_by_conversation ON conversation_items (conversation_id, seq);
            """),
    ];

    /// <summary>Applies the migrations the database has not recorded yet.</summary>
    /// <returns>How many migrations this call applied (0 when the schema was up to date).</returns>
    public static async Task<int> ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({MigrationLockKey});", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, tx, """
                    CREATE TABLE IF NOT EXISTS loopwire_schema_migrations (
                        version integer NOT NULL PRIMARY KEY,
                        name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    );
                    """, cancellationToken).ConfigureAwait(false);

                int current;
                using (var cmd = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM loopwire_schema_migrations;", connection, tx))
                {
                    current = Convert.ToInt32(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false),
                        System.Globalization.CultureInfo.InvariantCulture);
                }

                if (current > All.Count)
                {
                    throw new InvalidOperationException(
                        $"The database schema is at version {current}, newer than this Loopwire knows ({All.Count}); upgrade Loopwire.");
                }

                for (int version = current + 1; version <= All.Count; version++)
                {
                    var (name, sql) = All[version - 1];
                    await ExecuteAsync(connection, tx, sql, cancellationToken).ConfigureAwait(false);
                    using var record = new NpgsqlCommand("INSERT INTO loopwire_schema_migrations (version, name) VALUES ($1, $2);", connection, tx);
                    record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                    record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return All.Count - current;
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
