using System.Text.Json;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Microsoft.Data.Sqlite;

namespace Loopwire.Engine.Stores;

/// <summary>
/// The background-run side of the SQLite store: event logs and leases in the same file, so a background response's
/// events can be streamed again after a restart. One process owns the file: one node.
/// </summary>
public sealed partial class SqliteResponseStore : IBackgroundRunStore
{
    private const string ForgetRunSql = """
        DELETE FROM background_events WHERE response_id = $id;
        DELETE FROM background_leases WHERE response_id = $id;
        """;

    /// <inheritdoc />
    public Task AppendEventsAsync(string responseId, IReadOnlyList<ResponseEvent> events, int maxEvents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseId);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        var rows = events.Select(e => (e.SequenceNumber, JsonSerializer.SerializeToUtf8Bytes(e, ProtocolJsonContext.Default.ResponseEvent))).ToList();
        return WriteAsync(async (tx, ct) =>
        {
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR REPLACE INTO background_events (response_id, seq, event_json) VALUES ($id, $seq, $json);";
            cmd.Parameters.AddWithValue("$id", responseId);
            var seq = cmd.Parameters.Add("$seq", SqliteType.Integer);
            var json = cmd.Parameters.Add("$json", SqliteType.Blob);
            foreach (var (n, bytes) in rows)
            {
                seq.Value = n;
                json.Value = bytes;
                await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            cmd.Parameters.Clear();
            cmd.CommandText = "DELETE FROM background_events WHERE response_id = $id AND seq < $oldest;";
            cmd.Parameters.AddWithValue("$id", responseId);
            cmd.Parameters.AddWithValue("$oldest", (long)rows[^1].SequenceNumber + 1 - maxEvents);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<BackgroundEventPage> ReadEventsAsync(string responseId, int startingAfter, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);

        using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT min(seq), max(seq) FROM background_events WHERE response_id = $id;";
        cmd.Parameters.AddWithValue("$id", responseId);
        int? first;
        int next;
        using (var range = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await range.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (range.IsDBNull(0))
            {
                return new BackgroundEventPage([], null, 0);
            }

            first = range.GetInt32(0);
            next = range.GetInt32(1) + 1;
        }

        cmd.CommandText = "SELECT event_json FROM background_events WHERE response_id = $id AND seq > $after ORDER BY seq LIMIT $limit;";
        cmd.Parameters.AddWithValue("$after", startingAfter);
        cmd.Parameters.AddWithValue("$limit", limit);
        var events = new List<ResponseEvent>();
        using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                events.Add(Deserialize(reader.GetFieldValue<byte[]>(0), ProtocolJsonContext.Default.ResponseEvent));
            }
        }

        return new BackgroundEventPage(events, first, next);
    }

    /// <inheritdoc />
    public Task DeleteEventsAsync(string responseId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM background_events WHERE response_id = $id;", cancellationToken, ("$id", responseId));

    /// <inheritdoc />
    public Task AcquireLeaseAsync(BackgroundLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return ExecuteAsync("""
            INSERT OR REPLACE INTO background_leases (response_id, tenant, node, expires_at, cancel_requested)
            VALUES ($id, $tenant, $node, $expires, 0);
            """, cancellationToken, ("$id", lease.ResponseId), ("$tenant", lease.Tenant), ("$node", lease.Node),
            ("$expires", lease.ExpiresAt.ToUnixTimeMilliseconds()));
    }

    /// <inheritdoc />
    public Task<LeaseRenewal> RenewLeaseAsync(string responseId, string node, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
        WriteAsync(async (tx, ct) =>
        {
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                UPDATE background_leases SET expires_at = $expires WHERE response_id = $id AND node = $node
                RETURNING cancel_requested;
                """;
            cmd.Parameters.AddWithValue("$id", responseId);
            cmd.Parameters.AddWithValue("$node", node);
            cmd.Parameters.AddWithValue("$expires", expiresAt.ToUnixTimeMilliseconds());
            object? flag = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
            return flag switch
            {
                null => LeaseRenewal.Lost,
                long l when l != 0 => LeaseRenewal.CancelRequested,
                _ => LeaseRenewal.Renewed,
            };
        }, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(string responseId, string node, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM background_leases WHERE response_id = $id AND node = $node;", cancellationToken,
            ("$id", responseId), ("$node", node));

    /// <inheritdoc />
    public Task<BackgroundLease?> RequestCancelAsync(string responseId, string? tenant, CancellationToken cancellationToken = default) =>
        WriteAsync(async (tx, ct) =>
        {
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                UPDATE background_leases SET cancel_requested = 1 WHERE response_id = $id AND tenant IS $tenant
                RETURNING tenant, node, expires_at;
                """;
            cmd.Parameters.AddWithValue("$id", responseId);
            cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
            using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadLease(responseId, reader) : null;
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One process owns the file, so there is no other node to defer to: never returns null.</remarks>
    public Task<IReadOnlyList<BackgroundLease>?> ClaimExpiredLeasesAsync(DateTimeOffset now, string claimant, DateTimeOffset claimUntil,
        CancellationToken cancellationToken = default) =>
        WriteAsync<IReadOnlyList<BackgroundLease>?>(async (tx, ct) =>
        {
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT response_id, tenant, node, expires_at FROM background_leases WHERE expires_at < $now;";
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            var expired = new List<BackgroundLease>();
            using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    expired.Add(new BackgroundLease(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
                }
            }

            cmd.CommandText = "UPDATE background_leases SET node = $claimant, expires_at = $until WHERE expires_at < $now;";
            cmd.Parameters.AddWithValue("$claimant", claimant);
            cmd.Parameters.AddWithValue("$until", claimUntil.ToUnixTimeMilliseconds());
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return expired;
        }, cancellationToken);

    private static BackgroundLease ReadLease(string responseId, SqliteDataReader reader) =>
        new(responseId, reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));

    private Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        WriteAsync(async (tx, ct) =>
        {
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
