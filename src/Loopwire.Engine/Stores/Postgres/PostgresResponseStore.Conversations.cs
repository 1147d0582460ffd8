using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Serialization;
using Npgsql;

namespace Loopwire.Engine.Stores.Postgres;

/// <summary>The <see cref="IConversationStore"/> part of the PostgreSQL store (migration 3: <c>conversations</c>, <c>conversation_items</c>).</summary>
/// <remarks>
/// The lock is a conditional <c>UPDATE</c> of the conversation row, so two nodes cannot both take it; the lease frees
/// a lock whose node died. Item order is the identity column <c>seq</c>.
/// </remarks>
public sealed partial class PostgresResponseStore : IConversationStore
{
    private const string ConversationColumns = "created_at, metadata_json";

    /// <inheritdoc />
    public Task CreateConversationAsync(StoredConversation conversation, IReadOnlyList<ResponseItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(items);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (ids, jsons) = ItemArrays(items);
        return RunAsync(async (connection, ct) =>
        {
            using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Command("INSERT INTO conversations (id, tenant, created_at, metadata_json) VALUES ($1, $2, $3, $4);",
                Text(conversation.Id), Text(conversation.Tenant), new NpgsqlParameter<long> { TypedValue = conversation.CreatedAt },
                new NpgsqlParameter<byte[]> { TypedValue = MetadataJson(conversation.Metadata) }));
            if (ids.Length > 0)
            {
                batch.BatchCommands.Add(InsertItems(conversation.Id, ids, jsons));
            }

            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoredConversation?> GetConversationAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync((connection, ct) => ReadConversationAsync(connection,
            $"SELECT {ConversationColumns} FROM conversations WHERE id = $1 AND {TenantMatches};", id, tenant, null, ct), cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoredConversation?> UpdateConversationAsync(string id, string? tenant, IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(metadata);
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] json = MetadataJson(metadata);
        return RunAsync((connection, ct) => ReadConversationAsync(connection,
            $"UPDATE conversations SET metadata_json = $3 WHERE id = $1 AND {TenantMatches} RETURNING {ConversationColumns};", id, tenant,
            new NpgsqlParameter<byte[]> { TypedValue = json }, ct), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteConversationAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            using var cmd = new NpgsqlCommand($"DELETE FROM conversations WHERE id = $1 AND {TenantMatches};", connection);
            cmd.Parameters.Add(Text(id));
            cmd.Parameters.Add(Text(tenant));
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> AppendConversationItemsAsync(string id, string? tenant, IReadOnlyList<ResponseItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(items);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (ids, jsons) = ItemArrays(items);
        return RunAsync(async (connection, ct) =>
        {
            // Only when the conversation exists for this tenant: one statement, so a concurrent delete cannot slip between.
            using var cmd = new NpgsqlCommand($"""
                WITH c AS (SELECT id FROM conversations WHERE id = $1 AND {TenantMatches}),
                ins AS (
                    INSERT INTO conversation_items (conversation_id, item_id, item_json)
                    SELECT c.id, t.i, t.j FROM c, unnest($3::text[], $4::bytea[]) WITH ORDINALITY AS t(i, j, n) ORDER BY t.n
                )
                SELECT count(*) FROM c;
                """, connection);
            cmd.Parameters.Add(Text(id));
            cmd.Parameters.Add(Text(tenant));
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
            cmd.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = jsons });
            return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) ?? 0L) > 0;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ConversationItemPage?> ListConversationItemsAsync(string id, string? tenant, ConversationItemQuery query,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(query);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            if (await GetConversationCoreAsync(connection, id, tenant, ct).ConfigureAwait(false) is null)
            {
                return null;
            }

            long? afterSeq = null;
            if (query.After is { } after)
            {
                using var find = new NpgsqlCommand(
                    "SELECT seq FROM conversation_items WHERE conversation_id = $1 AND item_id = $2 ORDER BY seq DESC LIMIT 1;", connection);
                find.Parameters.Add(Text(id));
                find.Parameters.Add(Text(after));
                afterSeq = await find.ExecuteScalarAsync(ct).ConfigureAwait(false) as long?;
                if (afterSeq is null)
                {
                    return new ConversationItemPage([], false, AfterNotFound: true);
                }
            }

            string cmp = query.Ascending ? ">" : "<";
            string order = query.Ascending ? "ASC" : "DESC";
            using var cmd = new NpgsqlCommand($"""
                SELECT item_json FROM conversation_items
                WHERE conversation_id = $1 AND ($2::bigint IS NULL OR seq {cmp} $2)
                ORDER BY seq {order} LIMIT $3;
                """, connection);
            cmd.Parameters.Add(Text(id));
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint, Value = (object?)afterSeq ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)query.Limit + 1 });
            var items = new List<ResponseItem>();
            var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    items.Add(Deserialize(reader.GetFieldValue<byte[]>(0), ProtocolJsonContext.Default.ResponseItem));
                }
            }

            bool more = items.Count > query.Limit;
            if (more)
            {
                items.RemoveAt(items.Count - 1);
            }

            return (ConversationItemPage?)new ConversationItemPage(items, more);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ResponseItem?> GetConversationItemAsync(string id, string itemId, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(itemId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            using var cmd = new NpgsqlCommand($"""
                SELECT i.item_json FROM conversation_items i
                WHERE i.conversation_id = (SELECT id FROM conversations WHERE id = $1 AND {TenantMatches}) AND i.item_id = $3
                ORDER BY i.seq DESC LIMIT 1;
                """, connection);
            cmd.Parameters.Add(Text(id));
            cmd.Parameters.Add(Text(tenant));
            cmd.Parameters.Add(Text(itemId));
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is byte[] json
                ? Deserialize(json, ProtocolJsonContext.Default.ResponseItem)
                : null;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteConversationItemAsync(string id, string itemId, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(itemId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            using var cmd = new NpgsqlCommand($"""
                DELETE FROM conversation_items
                WHERE conversation_id = (SELECT id FROM conversations WHERE id = $1 AND {TenantMatches}) AND item_id = $3;
                """, connection);
            cmd.Parameters.Add(Text(id));
            cmd.Parameters.Add(Text(tenant));
            cmd.Parameters.Add(Text(itemId));
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ConversationLockResult> TryLockConversationAsync(string id, string? tenant, string owner, DateTimeOffset now, TimeSpan lease,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(owner);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            using var cmd = new NpgsqlCommand($"""
                WITH c AS (SELECT id FROM conversations WHERE id = $1 AND {TenantMatches}),
                u AS (
                    UPDATE conversations SET lock_owner = $3, lock_until = $5
                    WHERE id = $1 AND {TenantMatches} AND (lock_owner IS NULL OR lock_owner = $3 OR lock_until <= $4)
                    RETURNING id
                )
                SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM u);
                """, connection);
            cmd.Parameters.Add(Text(id));
            cmd.Parameters.Add(Text(tenant));
            cmd.Parameters.Add(Text(owner));
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.ToUnixTimeMilliseconds() });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (now + lease).ToUnixTimeMilliseconds() });
            var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                return reader.GetInt64(0) == 0 ? ConversationLockResult.NotFound
                    : reader.GetInt64(1) > 0 ? ConversationLockResult.Acquired
                    : ConversationLockResult.Busy;
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task UnlockConversationAsync(string id, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(owner);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            using var cmd = new NpgsqlCommand(
                "UPDATE conversations SET lock_owner = NULL, lock_until = NULL WHERE id = $1 AND lock_owner = $2;", connection);
            cmd.Parameters.Add(Text(id));
            cmd.Parameters.Add(Text(owner));
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    private static Task<StoredConversation?> GetConversationCoreAsync(NpgsqlConnection connection, string id, string? tenant, CancellationToken ct) =>
        ReadConversationAsync(connection, $"SELECT {ConversationColumns} FROM conversations WHERE id = $1 AND {TenantMatches};", id, tenant, null, ct);

    private static async Task<StoredConversation?> ReadConversationAsync(NpgsqlConnection connection, string sql, string id, string? tenant,
        NpgsqlParameter? third, CancellationToken ct)
    {
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.Add(Text(id));
        cmd.Parameters.Add(Text(tenant));
        if (third is not null)
        {
            cmd.Parameters.Add(third);
        }

        var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return null;
            }

            var metadata = Deserialize(reader.GetFieldValue<byte[]>(1), ProtocolJsonContext.Default.DictionaryStringString);
            return new StoredConversation(id, tenant, reader.GetInt64(0), metadata);
        }
    }

    private static NpgsqlBatchCommand InsertItems(string conversationId, string[] ids, byte[][] jsons) =>
        Command("""
            INSERT INTO conversation_items (conversation_id, item_id, item_json)
            SELECT $1, i, j FROM unnest($2::text[], $3::bytea[]) WITH ORDINALITY AS t(i, j, n) ORDER BY n;
            """,
            Text(conversationId), new NpgsqlParameter<string[]> { TypedValue = ids }, new NpgsqlParameter<byte[][]> { TypedValue = jsons });

    private static (string[] Ids, byte[][] Jsons) ItemArrays(IReadOnlyList<ResponseItem> items) =>
        ([.. items.Select(i => i.Id ?? throw new ArgumentException("Conversation items must have ids.", nameof(items)))],
         [.. items.Select(i => JsonSerializer.SerializeToUtf8Bytes(i, ProtocolJsonContext.Default.ResponseItem))]);

    private static byte[] MetadataJson(IReadOnlyDictionary<string, string> metadata) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>(metadata, StringComparer.Ordinal), ProtocolJsonContext.Default.DictionaryStringString);
}
