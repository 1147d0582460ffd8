using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Serialization;
using Microsoft.Data.Sqlite;

namespace Loopwire.Engine.Stores;

/// <summary>The <see cref="IConversationStore"/> part of the SQLite store: tables <c>conversations</c> and <c>conversation_items</c>.</summary>
/// <remarks>Writes go through the single writer connection (so the lock's test-and-set is atomic); reads use pooled connections.</remarks>
public sealed partial class SqliteResponseStore : IConversationStore
{
    private const string ConversationSchema = """

        CREATE TABLE IF NOT EXISTS conversations (
            id TEXT NOT NULL PRIMARY KEY,
            tenant TEXT NULL,
            created_at INTEGER NOT NULL,
            metadata_json BLOB NOT NULL,
            lock_owner TEXT NULL,
            lock_until INTEGER NULL
        );
        CREATE TABLE IF NOT EXISTS conversation_items (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            item_json BLOB NOT NULL
        );
        CREATE INDEX IF NOT EXISTS conversation_items_by_conversation ON conversation_items (conversation_id, seq);
        """;

    /// <inheritdoc />
    public Task CreateConversationAsync(StoredConversation conversation, IReadOnlyList<ResponseItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(items);
        return WriteAsync(async (tx, ct) =>
        {
            using (var cmd = _writer.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO conversations (id, tenant, created_at, metadata_json) VALUES ($id, $tenant, $created, $metadata);";
                cmd.Parameters.AddWithValue("$id", conversation.Id);
                cmd.Parameters.AddWithValue("$tenant", (object?)conversation.Tenant ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$created", conversation.CreatedAt);
                cmd.Parameters.Add("$metadata", SqliteType.Blob).Value = MetadataJson(conversation.Metadata);
                await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await InsertItemsAsync(tx, conversation.Id, items, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<StoredConversation?> GetConversationAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadConversationAsync(connection, null, id, tenant, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<StoredConversation?> UpdateConversationAsync(string id, string? tenant, IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(metadata);
        return WriteAsync(async (tx, ct) =>
        {
            using (var cmd = _writer.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "UPDATE conversations SET metadata_json = $metadata WHERE id = $id AND tenant IS $tenant;";
                cmd.Parameters.AddWithValue("$id", id);
                cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
                cmd.Parameters.Add("$metadata", SqliteType.Blob).Value = MetadataJson(metadata);
                if (await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
                {
                    return null;
                }
            }

            return await ReadConversationAsync(_writer, tx, id, tenant, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteConversationAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return WriteAsync(async (tx, ct) =>
        {
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM conversations WHERE id = $id AND tenant IS $tenant;";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> AppendConversationItemsAsync(string id, string? tenant, IReadOnlyList<ResponseItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(items);
        return WriteAsync(async (tx, ct) =>
        {
            if (await ReadConversationAsync(_writer, tx, id, tenant, ct).ConfigureAwait(false) is null)
            {
                return false;
            }

            await InsertItemsAsync(tx, id, items, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ConversationItemPage?> ListConversationItemsAsync(string id, string? tenant, ConversationItemQuery query,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(query);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true);
        if (await ReadConversationAsync(connection, tx, id, tenant, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.Parameters.AddWithValue("$id", id);
        long? afterSeq = null;
        if (query.After is { } after)
        {
            cmd.CommandText = "SELECT seq FROM conversation_items WHERE conversation_id = $id AND item_id = $after ORDER BY seq DESC LIMIT 1;";
            cmd.Parameters.AddWithValue("$after", after);
            afterSeq = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
            if (afterSeq is null)
            {
                return new ConversationItemPage([], false, AfterNotFound: true);
            }
        }

        string cmp = query.Ascending ? ">" : "<";
        string order = query.Ascending ? "ASC" : "DESC";
        cmd.CommandText = $"""
            SELECT item_json FROM conversation_items
            WHERE conversation_id = $id AND ($seq IS NULL OR seq {cmp} $seq)
            ORDER BY seq {order} LIMIT $limit;
            """;
        cmd.Parameters.AddWithValue("$seq", (object?)afterSeq ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$limit", (long)query.Limit + 1);
        var items = new List<ResponseItem>();
        using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(Deserialize(reader.GetFieldValue<byte[]>(0), ProtocolJsonContext.Default.ResponseItem));
            }
        }

        bool more = items.Count > query.Limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return new ConversationItemPage(items, more);
    }

    /// <inheritdoc />
    public async Task<ResponseItem?> GetConversationItemAsync(string id, string itemId, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(itemId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT i.item_json FROM conversation_items i JOIN conversations c ON c.id = i.conversation_id
            WHERE c.id = $id AND c.tenant IS $tenant AND i.item_id = $item ORDER BY i.seq DESC LIMIT 1;
            """;
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$item", itemId);
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is byte[] json
            ? Deserialize(json, ProtocolJsonContext.Default.ResponseItem)
            : null;
    }

    /// <inheritdoc />
    public Task<bool> DeleteConversationItemAsync(string id, string itemId, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(itemId);
        return WriteAsync(async (tx, ct) =>
        {
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                DELETE FROM conversation_items WHERE item_id = $item AND conversation_id =
                    (SELECT id FROM conversations WHERE id = $id AND tenant IS $tenant);
                """;
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$item", itemId);
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ConversationLockResult> TryLockConversationAsync(string id, string? tenant, string owner, DateTimeOffset now, TimeSpan lease,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync(async (tx, ct) =>
        {
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                UPDATE conversations SET lock_owner = $owner, lock_until = $until
                WHERE id = $id AND tenant IS $tenant AND (lock_owner IS NULL OR lock_owner = $owner OR lock_until <= $now);
                """;
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$owner", owner);
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$until", (now + lease).ToUnixTimeMilliseconds());
            if (await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0)
            {
                return ConversationLockResult.Acquired;
            }

            return await ReadConversationAsync(_writer, tx, id, tenant, ct).ConfigureAwait(false) is null
                ? ConversationLockResult.NotFound
                : ConversationLockResult.Busy;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task UnlockConversationAsync(string id, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync(async (tx, ct) =>
        {
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "UPDATE conversations SET lock_owner = NULL, lock_until = NULL WHERE id = $id AND lock_owner = $owner;";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$owner", owner);
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    private static byte[] MetadataJson(IReadOnlyDictionary<string, string> metadata) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>(metadata, StringComparer.Ordinal), ProtocolJsonContext.Default.DictionaryStringString);

    private async Task InsertItemsAsync(SqliteTransaction tx, string conversationId, IReadOnlyList<ResponseItem> items, CancellationToken ct)
    {
        using var cmd = _writer.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO conversation_items (conversation_id, item_id, item_json) VALUES ($id, $item, $json);";
        cmd.Parameters.AddWithValue("$id", conversationId);
        var itemId = cmd.Parameters.Add("$item", SqliteType.Text);
        var json = cmd.Parameters.Add("$json", SqliteType.Blob);
        foreach (var item in items)
        {
            itemId.Value = item.Id ?? throw new ArgumentException("Conversation items must have ids.", nameof(items));
            json.Value = JsonSerializer.SerializeToUtf8Bytes(item, ProtocolJsonContext.Default.ResponseItem);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task<StoredConversation?> ReadConversationAsync(SqliteConnection connection, SqliteTransaction? tx, string id, string? tenant,
        CancellationToken ct)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT created_at, metadata_json FROM conversations WHERE id = $id AND tenant IS $tenant;";
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
        using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        var metadata = Deserialize(reader.GetFieldValue<byte[]>(1), ProtocolJsonContext.Default.DictionaryStringString);
        return new StoredConversation(id, tenant, reader.GetInt64(0), metadata);
    }
}
