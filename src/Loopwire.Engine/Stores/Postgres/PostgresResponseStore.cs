using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Npgsql;
using NpgsqlTypes;

namespace Loopwire.Engine.Stores.Postgres;

/// <summary>An <see cref="IResponseStore"/> backed by a PostgreSQL database that several Loopwire nodes may share.</summary>
/// <remarks>
/// <para>
/// Connections come from one pooled <see cref="NpgsqlDataSource"/>. The schema is created and migrated by
/// <see cref="MigrateAsync"/> (see <see cref="PostgresMigrations"/>), which the server calls once at start; call it before
/// anything else. Rows hold the response and its input items as UTF-8 JSON written with <see cref="ProtocolJsonContext"/>,
/// byte for byte as the SQLite store keeps them; items reference their response and go with it on delete.
/// </para>
/// <para>
/// Durability: a save is one implicit transaction (one round trip), committed before its task completes.
/// </para>
/// <para>
/// Faults: a lost or refused connection throws <see cref="StoreUnavailableException"/> (its message names the host, never
/// the password) after one retry on a fresh connection, and the pool is cleared so the store recovers by itself when the
/// database is back. Other database errors surface as <see cref="NpgsqlException"/>.
/// </para>
/// <para>Thread-safety: all members are thread-safe. <see cref="DisposeAsync"/> must not race with calls in flight.</para>
/// </remarks>
public sealed partial class PostgresResponseStore : IResponseStore, IResponseChainStore, IResponseRetention, IAsyncDisposable, IDisposable
{
    private const string TenantMatches = "tenant IS NOT DISTINCT FROM $2";

    private readonly NpgsqlDataSource _dataSource;
    private bool _disposed;

    /// <summary>Creates the store over a connection string; opens no connection yet.</summary>
    /// <param name="connectionString">An Npgsql connection string (<c>Host=…;Database=…;Username=…;Password=…</c>).</param>
    /// <exception cref="ArgumentException">The connection string is empty or not valid.</exception>
    public PostgresResponseStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Location = DescribeLocation(builder);
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>True once <see cref="MigrateAsync"/> has succeeded on this instance.</summary>
    public bool Migrated { get; private set; }

    /// <summary>Where the store lives, for messages: <c>host:port/database</c>, without credentials.</summary>
    public string Location { get; }

    /// <summary>Returns a connection string with its password removed, for logs and messages.</summary>
    /// <param name="connectionString">A connection string that may hold a password.</param>
    /// <returns>The string without the password, or a placeholder when it cannot be parsed.</returns>
    public static string Redact(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Password = null };
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(an invalid connection string)";
        }
    }

    /// <summary>Creates or migrates the schema, safe when several nodes do it at once.</summary>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>How many migrations were applied by this call.</returns>
    /// <exception cref="StoreUnavailableException">The database cannot be reached, or refused the connection (e.g. bad credentials).</exception>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            int applied = await PostgresMigrations.ApplyAsync(_dataSource, cancellationToken).ConfigureAwait(false);
            Migrated = true;
            return applied;
        }
        catch (NpgsqlException ex) when (ex.IsTransient || ex is not PostgresException || IsRefusal((PostgresException)ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public Task SaveAsync(StoredResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var input = response.Input as List<ResponseItem> ?? [.. response.Input];
        byte[] inputJson = JsonSerializer.SerializeToUtf8Bytes(input, ProtocolJsonContext.Default.ListResponseItem);
        byte[] responseJson = JsonSerializer.SerializeToUtf8Bytes(response.Response, ProtocolJsonContext.Default.ResponseObject);

        // The last copy of a repeated item id wins, as INSERT OR REPLACE does in SQLite.
        var items = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var item in response.Input.Concat(response.Response.Output))
        {
            if (item.Id is not null)
            {
                items.Remove(item.Id);
                items[item.Id] = JsonSerializer.SerializeToUtf8Bytes(item, ProtocolJsonContext.Default.ResponseItem);
            }
        }

        string[] itemIds = [.. items.Keys];
        byte[][] itemJsons = [.. items.Values];
        return RunAsync(async (connection, ct) =>
        {
            // One batch runs as one implicit transaction: the replace and its items commit together or not at all.
            using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Command("DELETE FROM items WHERE response_id = $1;", Text(response.Id)));
            batch.BatchCommands.Add(Command("""
                INSERT INTO responses (id, previous_response_id, tenant, created_at, response_json, input_json)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (id) DO UPDATE SET previous_response_id = excluded.previous_response_id, tenant = excluded.tenant,
                    created_at = excluded.created_at, response_json = excluded.response_json, input_json = excluded.input_json;
                """,
                Text(response.Id), Text(response.PreviousResponseId), Text(response.Tenant),
                new NpgsqlParameter<long> { TypedValue = response.Response.CreatedAt },
                new NpgsqlParameter<byte[]> { TypedValue = responseJson },
                new NpgsqlParameter<byte[]> { TypedValue = inputJson }));
            if (itemIds.Length > 0)
            {
                batch.BatchCommands.Add(Command("""
                    INSERT INTO items (item_id, response_id, tenant, item_json)
                    SELECT i, $1, $2, j FROM unnest($3::text[], $4::bytea[]) WITH ORDINALITY AS t(i, j, n) ORDER BY n;
                    """,
                    Text(response.Id), Text(response.Tenant),
                    new NpgsqlParameter<string[]> { TypedValue = itemIds },
                    new NpgsqlParameter<byte[][]> { TypedValue = itemJsons }));
            }

            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoredResponse?> GetAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            using var cmd = new NpgsqlCommand(
                $"SELECT previous_response_id, response_json, input_json FROM responses WHERE id = $1 AND {TenantMatches};", connection);
            cmd.Parameters.Add(Text(id));
            cmd.Parameters.Add(Text(tenant));
            var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    return null;
                }

                string? previous = reader.IsDBNull(0) ? null : reader.GetString(0);
                var response = Deserialize(reader.GetFieldValue<byte[]>(1), ProtocolJsonContext.Default.ResponseObject);
                var input = Deserialize(reader.GetFieldValue<byte[]>(2), ProtocolJsonContext.Default.ListResponseItem);
                return new StoredResponse(id, previous, tenant, input, response);
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One recursive query, so continuing a long chain costs one round trip rather than one per turn.</remarks>
    public Task<IReadOnlyList<StoredResponse>> GetChainAsync(string responseId, string? tenant, int maxDepth,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseId);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync<IReadOnlyList<StoredResponse>>(async (connection, ct) =>
        {
            using var cmd = new NpgsqlCommand($"""
                WITH RECURSIVE chain AS (
                    SELECT id, previous_response_id, response_json, input_json, 1 AS depth
                    FROM responses WHERE id = $1 AND {TenantMatches}
                    UNION ALL
                    SELECT r.id, r.previous_response_id, r.response_json, r.input_json, c.depth + 1
                    FROM responses r JOIN chain c ON r.id = c.previous_response_id
                    WHERE r.{TenantMatches} AND c.depth < $3
                )
                SELECT id, previous_response_id, response_json, input_json FROM chain ORDER BY depth;
                """, connection);
            cmd.Parameters.Add(Text(responseId));
            cmd.Parameters.Add(Text(tenant));
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxDepth });
            var chain = new List<StoredResponse>();
            var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    chain.Add(new StoredResponse(
                        reader.GetString(0),
                        reader.IsDBNull(1) ? null : reader.GetString(1),
                        tenant,
                        Deserialize(reader.GetFieldValue<byte[]>(3), ProtocolJsonContext.Default.ListResponseItem),
                        Deserialize(reader.GetFieldValue<byte[]>(2), ProtocolJsonContext.Default.ResponseObject)));
                }
            }

            return chain;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            // Items go with the response (ON DELETE CASCADE).
            using var cmd = new NpgsqlCommand($"DELETE FROM responses WHERE id = $1 AND {TenantMatches};", connection);
            cmd.Parameters.Add(Text(id));
            cmd.Parameters.Add(Text(tenant));
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ResponseItem?> GetItemAsync(string itemId, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            // A client may re-send an item with its id in a later request; any copy will do, take the newest.
            using var cmd = new NpgsqlCommand(
                $"SELECT item_json FROM items WHERE item_id = $1 AND {TenantMatches} ORDER BY seq DESC LIMIT 1;", connection);
            cmd.Parameters.Add(Text(itemId));
            cmd.Parameters.Add(Text(tenant));
            object? json = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
            return json is byte[] bytes ? Deserialize(bytes, ProtocolJsonContext.Default.ResponseItem) : null;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Takes <c>pg_try_advisory_xact_lock</c> first: when another node holds it, returns null at once.</remarks>
    public Task<int?> DeleteCreatedBeforeAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync<int?>(async (connection, ct) =>
        {
            var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({PostgresMigrations.SweepLockKey});", connection, tx);
                if (await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is not true)
                {
                    return null;
                }

                cmd.CommandText = "DELETE FROM responses WHERE created_at < $1;";
                cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = createdBefore.ToUnixTimeSeconds() });
                int deleted = await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return deleted;
            }
        }, cancellationToken);
    }

    /// <summary>Closes the pooled connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes the pooled connections.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _dataSource.Dispose();
        }
    }

    /// <summary>Runs <paramref name="operation"/> on a pooled connection; a lost connection gets one retry on a fresh pool.</summary>
    /// <remarks>
    /// Every operation is idempotent (a save replaces, a delete of a deleted row is a no-op), so the retry is safe. The
    /// retry matters after a database restart: idle pooled connections are dead, and the first use finds out.
    /// </remarks>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> operation, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await operation(connection, ct).ConfigureAwait(false);
                }
            }
            catch (NpgsqlException ex) when (ex.IsTransient && !ct.IsCancellationRequested)
            {
                _dataSource.Clear();
                if (attempt == 2)
                {
                    throw Unavailable(ex);
                }
            }
        }
    }

    // Bad credentials or a missing database: at start, these mean "cannot use the store" as much as a refused connection.
    private static bool IsRefusal(PostgresException ex) =>
        ex.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification
            or PostgresErrorCodes.InvalidCatalogName;

    private StoreUnavailableException Unavailable(NpgsqlException ex) =>
        new($"The PostgreSQL store at {Location} is unavailable: {ex.Message}", ex);

    private static string DescribeLocation(NpgsqlConnectionStringBuilder builder) =>
        $"{builder.Host ?? "localhost"}:{builder.Port}/{builder.Database ?? builder.Username ?? "postgres"}";

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static T Deserialize<T>(byte[] utf8Json, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.Deserialize(utf8Json, typeInfo)
        ?? throw new InvalidDataException($"A stored {typeof(T).Name} is JSON null.");
}
