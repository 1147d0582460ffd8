using System.Text.Json;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Npgsql;

namespace Loopwire.Engine.Stores.Postgres;

/// <summary>
/// The background-run side of the PostgreSQL store, shared by every node: event logs, leases, and cancel requests that
/// also go out on <c>NOTIFY loopwire_cancel</c> (see <see cref="ListenForCancelsAsync"/>).
/// </summary>
/// <remarks>Rows reference their response and go with it (delete, retention). Leases expire by the clocks of the nodes.</remarks>
public sealed partial class PostgresResponseStore : IBackgroundRunStore
{
    /// <inheritdoc />
    /// <remarks>One round trip; a retried append rewrites the same rows.</remarks>
    public Task AppendEventsAsync(string responseId, IReadOnlyList<ResponseEvent> events, int maxEvents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseId);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        int[] seqs = [.. events.Select(e => e.SequenceNumber)];
        byte[][] jsons = [.. events.Select(e => JsonSerializer.SerializeToUtf8Bytes(e, ProtocolJsonContext.Default.ResponseEvent))];
        return RunAsync(async (connection, ct) =>
        {
            using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Command("""
                INSERT INTO background_events (response_id, seq, event_json)
                SELECT $1, s, j FROM unnest($2::integer[], $3::bytea[]) AS t(s, j)
                ON CONFLICT (response_id, seq) DO UPDATE SET event_json = excluded.event_json;
                """, Text(responseId), new NpgsqlParameter<int[]> { TypedValue = seqs }, new NpgsqlParameter<byte[][]> { TypedValue = jsons }));
            batch.BatchCommands.Add(Command("DELETE FROM background_events WHERE response_id = $1 AND seq < $2;",
                Text(responseId), new NpgsqlParameter<long> { TypedValue = (long)seqs[^1] + 1 - maxEvents }));
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<BackgroundEventPage> ReadEventsAsync(string responseId, int startingAfter, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            // One statement, one snapshot: the range and the page agree.
            using var cmd = new NpgsqlCommand("""
                SELECT r.first, r.last, e.event_json
                FROM (SELECT min(seq) AS first, max(seq) AS last FROM background_events WHERE response_id = $1) r
                LEFT JOIN LATERAL (
                    SELECT seq, event_json FROM background_events WHERE response_id = $1 AND seq > $2 ORDER BY seq LIMIT $3
                ) e ON true
                ORDER BY e.seq;
                """, connection);
            cmd.Parameters.Add(Text(responseId));
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = startingAfter });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            int? first = null;
            int next = 0;
            var events = new List<ResponseEvent>();
            var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    if (reader.IsDBNull(0))
                    {
                        break;
                    }

                    first = reader.GetInt32(0);
                    next = reader.GetInt32(1) + 1;
                    if (!reader.IsDBNull(2))
                    {
                        events.Add(Deserialize(reader.GetFieldValue<byte[]>(2), ProtocolJsonContext.Default.ResponseEvent));
                    }
                }
            }

            return new BackgroundEventPage(events, first, next);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteEventsAsync(string responseId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM background_events WHERE response_id = $1;", cancellationToken, Text(responseId));

    /// <inheritdoc />
    public Task AcquireLeaseAsync(BackgroundLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return ExecuteAsync("""
            INSERT INTO background_leases (response_id, tenant, node, expires_at, cancel_requested) VALUES ($1, $2, $3, $4, false)
            ON CONFLICT (response_id) DO UPDATE SET tenant = excluded.tenant, node = excluded.node, expires_at = excluded.expires_at,
                cancel_requested = false;
            """, cancellationToken, Text(lease.ResponseId), Text(lease.Tenant), Text(lease.Node),
            new NpgsqlParameter<long> { TypedValue = lease.ExpiresAt.ToUnixTimeMilliseconds() });
    }

    /// <inheritdoc />
    public Task<LeaseRenewal> RenewLeaseAsync(string responseId, string node, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            using var cmd = new NpgsqlCommand(
                "UPDATE background_leases SET expires_at = $3 WHERE response_id = $1 AND node = $2 RETURNING cancel_requested;", connection);
            cmd.Parameters.Add(Text(responseId));
            cmd.Parameters.Add(Text(node));
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expiresAt.ToUnixTimeMilliseconds() });
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) switch
            {
                true => LeaseRenewal.CancelRequested,
                false => LeaseRenewal.Renewed,
                _ => LeaseRenewal.Lost,
            };
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(string responseId, string node, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM background_leases WHERE response_id = $1 AND node = $2;", cancellationToken, Text(responseId), Text(node));

    /// <inheritdoc />
    /// <remarks>Sets the flag the running node sees at its next renewal, and notifies it on <c>loopwire_cancel</c> at once.</remarks>
    public Task<BackgroundLease?> RequestCancelAsync(string responseId, string? tenant, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            using var cmd = new NpgsqlCommand($"""
                WITH flagged AS (
                    UPDATE background_leases SET cancel_requested = true WHERE response_id = $1 AND {TenantMatches}
                    RETURNING tenant, node, expires_at
                )
                SELECT tenant, node, expires_at, pg_notify('{PostgresMigrations.CancelChannel}', $1) FROM flagged;
                """, connection);
            cmd.Parameters.Add(Text(responseId));
            cmd.Parameters.Add(Text(tenant));
            var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(ct).ConfigureAwait(false)
                    ? new BackgroundLease(responseId, reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)))
                    : null;
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Takes <c>pg_try_advisory_xact_lock</c> first: when another node holds it, returns null at once.</remarks>
    public Task<IReadOnlyList<BackgroundLease>?> ClaimExpiredLeasesAsync(DateTimeOffset now, string claimant, DateTimeOffset claimUntil,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync<IReadOnlyList<BackgroundLease>?>(async (connection, ct) =>
        {
            var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({PostgresMigrations.LeaseSweepLockKey});", connection, tx);
                if (await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is not true)
                {
                    return null;
                }

                cmd.CommandText = """
                    WITH expired AS (
                        SELECT response_id, tenant, node, expires_at FROM background_leases WHERE expires_at < $1 FOR UPDATE
                    )
                    UPDATE background_leases l SET node = $2, expires_at = $3 FROM expired e WHERE l.response_id = e.response_id
                    RETURNING e.response_id, e.tenant, e.node, e.expires_at;
                    """;
                cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.ToUnixTimeMilliseconds() });
                cmd.Parameters.Add(Text(claimant));
                cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = claimUntil.ToUnixTimeMilliseconds() });
                var expired = new List<BackgroundLease>();
                var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        expired.Add(new BackgroundLease(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
                    }
                }

                await tx.CommitAsync(ct).ConfigureAwait(false);
                return expired;
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Listens on <c>loopwire_cancel</c> on a dedicated (unpooled) connection until <paramref name="cancellationToken"/>
    /// fires, calling <paramref name="onCancelRequested"/> with each response id. A dropped connection is reported to
    /// <paramref name="onDisconnected"/> and reopened after <paramref name="retryDelay"/>; a notification sent meanwhile is
    /// missed, and the renewal flag of <see cref="RequestCancelAsync"/> still reaches the run.
    /// </summary>
    /// <param name="onCancelRequested">Called with the response id of each cancel request, on the listening task.</param>
    /// <param name="onListening">Called each time the connection listens (again).</param>
    /// <param name="onDisconnected">Called when the connection could not be opened or dropped.</param>
    /// <param name="retryDelay">The wait before reconnecting.</param>
    /// <param name="time">The clock of that wait.</param>
    /// <param name="cancellationToken">Stops listening.</param>
    /// <returns>Completes when <paramref name="cancellationToken"/> fires.</returns>
    public async Task ListenForCancelsAsync(Action<string> onCancelRequested, Action onListening, Action<Exception> onDisconnected,
        TimeSpan retryDelay, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onCancelRequested);
        ArgumentNullException.ThrowIfNull(onListening);
        ArgumentNullException.ThrowIfNull(onDisconnected);
        ArgumentNullException.ThrowIfNull(time);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connection = new NpgsqlConnection(_listenConnectionString);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, e) => onCancelRequested(e.Payload);
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    using (var listen = new NpgsqlCommand($"LISTEN {PostgresMigrations.CancelChannel};", connection))
                    {
                        await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    onListening();

                    while (true)
                    {
                        await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                onDisconnected(ex);
            }

            try
            {
                await Task.Delay(retryDelay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string ListenConnectionString(NpgsqlConnectionStringBuilder builder) =>
        new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false, KeepAlive = 10 }.ConnectionString;

    private Task ExecuteAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync(async (connection, ct) =>
        {
            // Fresh copies: a retry runs a new command, and a parameter belongs to one command.
            using var cmd = new NpgsqlCommand(sql, connection);
            foreach (var p in parameters)
            {
                cmd.Parameters.Add(p.Clone());
            }

            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }
}
