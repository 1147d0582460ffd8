using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Microsoft.Data.Sqlite;

namespace Loopwire.Engine.Stores;

/// <summary>An <see cref="IResponseStore"/> backed by one SQLite database file.</summary>
/// <remarks>
/// <para>
/// The database is created if missing and its schema on open (<c>responses</c> and the <c>items</c> index used by
/// <see cref="GetItemAsync"/>). Rows hold the response and its input items as UTF-8 JSON written with
/// <see cref="ProtocolJsonContext"/>. A delete removes the rows for good, items included.
/// </para>
/// <para>
/// Durability: the file uses WAL with <c>synchronous=FULL</c>, so every save or delete fsyncs the WAL before its
/// task completes. A completed save therefore survives a process kill and also an OS crash or power loss.
/// (<c>synchronous=NORMAL</c> would survive a process kill, because committed pages sit in the OS cache, but not a
/// power loss; <see cref="IResponseStore"/> promises durability when the task completes, so we pay one fsync per write.)
/// </para>
/// <para>
/// Thread-safety: all members are thread-safe. Writes go through one connection behind a <see cref="SemaphoreSlim"/>,
/// so writers never contend for the SQLite write lock; reads open a pooled connection each and run concurrently with
/// writes (WAL readers are not blocked). <see cref="Dispose"/> must not race with calls in flight.
/// </para>
/// </remarks>
public sealed partial class SqliteResponseStore : IResponseStore, IResponseRetention, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS responses (
            id TEXT NOT NULL PRIMARY KEY,
            previous_response_id TEXT NULL,
            tenant TEXT NULL,
            created_at INTEGER NOT NULL,
            response_json BLOB NOT NULL,
            input_json BLOB NOT NULL
        );
        CREATE TABLE IF NOT EXISTS items (
            item_id TEXT NOT NULL,
            response_id TEXT NOT NULL,
            tenant TEXT NULL,
            item_json BLOB NOT NULL,
            PRIMARY KEY (item_id, response_id)
        );
        CREATE INDEX IF NOT EXISTS items_by_response ON items (response_id);
        CREATE TABLE IF NOT EXISTS background_events (
            response_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            event_json BLOB NOT NULL,
            PRIMARY KEY (response_id, seq)
        );
        CREATE TABLE IF NOT EXISTS background_leases (
            response_id TEXT NOT NULL PRIMARY KEY,
            tenant TEXT NULL,
            node TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            cancel_requested INTEGER NOT NULL DEFAULT 0
        );
        """ + ConversationSchema;

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>How long disposing waits for a write in flight.</summary>
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(5);
    private bool _disposed;

    /// <summary>Opens (creating if needed) the store in the SQLite file at <paramref name="path"/>.</summary>
    /// <param name="path">A file path; relative paths resolve against the current directory. Its directory must exist.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names an in-memory database.</exception>
    /// <exception cref="SqliteException">The file cannot be opened or is not a database.</exception>
    /// <remarks>Runs synchronous file I/O (open, pragmas, schema); create the store once at startup.</remarks>
    public SqliteResponseStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (path.Equals(":memory:", StringComparison.Ordinal))
        {
            // Each pooled read connection would see its own empty in-memory database.
            throw new ArgumentException("An in-memory database is not supported; use MemoryResponseStore.", nameof(path));
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(path),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();

        _writer = new SqliteConnection(_connectionString);
        try
        {
            _writer.Open();
            using var cmd = _writer.CreateCommand();

            // journal_mode is stored in the file; synchronous is per connection, and only the writer needs it.
            cmd.CommandText = "PRAGMA journal_mode=WAL;";
            string? mode = cmd.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode for '{path}' (journal_mode={mode}).");
            }

            cmd.CommandText = "PRAGMA synchronous=FULL;" + Schema;
            cmd.ExecuteNonQuery();
        }
        catch
        {
            _writer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task SaveAsync(StoredResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var input = response.Input as List<ResponseItem> ?? [.. response.Input];
        byte[] inputJson = JsonSerializer.SerializeToUtf8Bytes(input, ProtocolJsonContext.Default.ListResponseItem);
        byte[] responseJson = JsonSerializer.SerializeToUtf8Bytes(response.Response, ProtocolJsonContext.Default.ResponseObject);

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _writer.BeginTransaction();
            using (var cmd = _writer.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = """
                    DELETE FROM items WHERE response_id = $id;
                    INSERT OR REPLACE INTO responses (id, previous_response_id, tenant, created_at, response_json, input_json)
                    VALUES ($id, $prev, $tenant, $created, $response, $input);
                    """;
                cmd.Parameters.AddWithValue("$id", response.Id);
                cmd.Parameters.AddWithValue("$prev", (object?)response.PreviousResponseId ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$tenant", (object?)response.Tenant ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$created", response.Response.CreatedAt);
                cmd.Parameters.Add("$response", SqliteType.Blob).Value = responseJson;
                cmd.Parameters.Add("$input", SqliteType.Blob).Value = inputJson;
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using (var cmd = _writer.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT OR REPLACE INTO items (item_id, response_id, tenant, item_json)
                    VALUES ($item, $id, $tenant, $json);
                    """;
                var itemId = cmd.Parameters.Add("$item", SqliteType.Text);
                cmd.Parameters.AddWithValue("$id", response.Id);
                cmd.Parameters.AddWithValue("$tenant", (object?)response.Tenant ?? DBNull.Value);
                var json = cmd.Parameters.Add("$json", SqliteType.Blob);
                foreach (var item in response.Input.Concat(response.Response.Output))
                {
                    if (item.Id is null)
                    {
                        continue;
                    }

                    itemId.Value = item.Id;
                    json.Value = JsonSerializer.SerializeToUtf8Bytes(item, ProtocolJsonContext.Default.ResponseItem);
                    await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            // Cancellation stops here at the latest: once the commit starts, the save completes.
            await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<StoredResponse?> GetAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(_disposed, this);

        using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT previous_response_id, response_json, input_json FROM responses
            WHERE id = $id AND tenant IS $tenant;
            """;
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
        using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        string? previous = reader.IsDBNull(0) ? null : reader.GetString(0);
        var response = Deserialize(reader.GetFieldValue<byte[]>(1), ProtocolJsonContext.Default.ResponseObject);
        var input = Deserialize(reader.GetFieldValue<byte[]>(2), ProtocolJsonContext.Default.ListResponseItem);
        return new StoredResponse(id, previous, tenant, input, response);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(_disposed, this);

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _writer.BeginTransaction();
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM responses WHERE id = $id AND tenant IS $tenant;";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
            if (await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }

            cmd.CommandText = "DELETE FROM items WHERE response_id = $id;" + ForgetRunSql;
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<ResponseItem?> GetItemAsync(string itemId, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        ObjectDisposedException.ThrowIf(_disposed, this);

        using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var cmd = connection.CreateCommand();

        // A client may re-send an item with its id in a later request; any copy will do, take the newest.
        cmd.CommandText = """
            SELECT item_json FROM items
            WHERE item_id = $item AND tenant IS $tenant
            ORDER BY rowid DESC LIMIT 1;
            """;
        cmd.Parameters.AddWithValue("$item", itemId);
        cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
        using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? Deserialize(reader.GetFieldValue<byte[]>(0), ProtocolJsonContext.Default.ResponseItem)
            : null;
    }

    /// <inheritdoc />
    /// <remarks>One process owns the file, so there is no other node to defer to: never returns null.</remarks>
    public async Task<int?> DeleteCreatedBeforeAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _writer.BeginTransaction();
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                DELETE FROM items WHERE response_id IN (SELECT id FROM responses WHERE created_at < $cutoff);
                DELETE FROM background_events WHERE response_id IN (SELECT id FROM responses WHERE created_at < $cutoff);
                DELETE FROM background_leases WHERE response_id IN (SELECT id FROM responses WHERE created_at < $cutoff);
                DELETE FROM responses WHERE created_at < $cutoff;
                SELECT changes();
                """;
            cmd.Parameters.AddWithValue("$cutoff", createdBefore.ToUnixTimeSeconds());
            long deleted = (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
            await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            return (int)deleted;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Closes the write connection and clears the pooled read connections of this file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // A write in flight (say a background run's last events while the host stops) ends before its connection goes:
        // closing the connection under its open transaction fails inside the driver.
        bool idle = _writeLock.Wait(DisposeWait);
        _writer.Dispose();
        if (idle)
        {
            _writeLock.Dispose();
        }

        // Pooled connections would keep the file (and its -wal/-shm) open after the store is gone.
        using var sameFile = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(sameFile);
    }

    private static T Deserialize<T>(byte[] utf8Json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.Deserialize(utf8Json, typeInfo)
        ?? throw new InvalidDataException($"A stored {typeof(T).Name} is JSON null.");

    /// <summary>Runs <paramref name="write"/> in a transaction on the write connection, behind the write lock.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteTransaction, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _writer.BeginTransaction();
            var result = await write(tx, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
