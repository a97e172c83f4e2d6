using System.Data.Common;
using Dapper;

namespace AnprWatch.Storage.Notifications;

/// <summary>
/// The notification outbox (migration 0200). Rows are queued inside the hit batch's transaction
/// (<see cref="EnqueueAsync"/>), claimed under a lease so two instances on one store never send one row at the same
/// time, and settled by the lease holder only: a dispatcher whose lease ran out cannot overwrite another's result.
/// </summary>
public sealed class OutboxStore(Database database)
{
    /// <summary>The most characters of an error kept (the SQL Server column is NVARCHAR(1000)).</summary>
    public const int MaxErrorLength = 1000;

    private const string Columns =
        "delivery_id AS DeliveryId, alert_id AS AlertId, hit_id AS HitId, channel AS Channel, target AS Target, priority AS Priority, " +
        "created_at_ms AS CreatedAtMs, attempts AS Attempts, next_attempt_at_ms AS NextAttemptAtMs, last_error AS LastError, delivered_at_ms AS DeliveredAtMs";

    private string Table => database.Table("notify_outbox");

    /// <summary>
    /// Queues <paramref name="entries"/> in the caller's transaction. A row is written only when its hit is stored as
    /// alerted and its alert not yet acknowledged (so a re-processed read, whose stored decision wins, queues nothing
    /// new) and when no row has its delivery id yet.
    /// </summary>
    public async Task EnqueueAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<OutboxEntry> entries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        // One statement for the whole batch (one JSON parameter), not one per notification. The first entry with a
        // delivery id wins within the batch, and an id already queued is left alone (UPDLOCK, HOLDLOCK on SQL Server makes
        // the check and the insert one step against a second instance queuing the same row). An alert is queued while
        // its alert is not yet delivered to the sink; a confirmation (DESIGN §8) while the confirmation is not (its alert
        // was, usually long before).
        // A confirmation goes only to a subscriber its alert went to (queued before, or in this batch): one who subscribed
        // since, or whose filter changed, never gets "confirmed" for an alert it never had.
        var alertsInBatch = entries.Where(e => !e.Confirmation).Select(e => e.DeliveryId).ToHashSet(StringComparer.Ordinal);
        var rows = entries.DistinctBy(e => e.DeliveryId, StringComparer.Ordinal)
            .Select(e =>
            {
                var alertDeliveryId = e.Confirmation ? OutboxEntry.IdOf(e.AlertId, e.Channel, e.Target) : null;
                return new
                {
                    e.DeliveryId, e.AlertId, e.HitId, e.Channel, e.Target, e.Priority, e.Body, e.Confirmation,
                    AlertDeliveryId = alertDeliveryId, AlertInBatch = alertDeliveryId is not null && alertsInBatch.Contains(alertDeliveryId),
                };
            }).ToList();
        var sql = database.Dialect.Name == "sqlserver"
            ? $"INSERT INTO {Table} (delivery_id, alert_id, hit_id, channel, target, priority, body, created_at_ms, attempts, next_attempt_at_ms) " +
              "SELECT j.delivery_id, j.alert_id, j.hit_id, j.channel, j.target, j.priority, j.body, @now, 0, @now FROM OPENJSON(@rows) " +
              "WITH (delivery_id VARCHAR(64) '$.DeliveryId', alert_id VARCHAR(64) '$.AlertId', hit_id VARCHAR(32) '$.HitId', channel VARCHAR(16) '$.Channel', " +
              "target NVARCHAR(2048) '$.Target', priority VARCHAR(16) '$.Priority', body NVARCHAR(MAX) '$.Body', confirmation BIT '$.Confirmation', " +
              "alert_delivery_id VARCHAR(64) '$.AlertDeliveryId', alert_in_batch BIT '$.AlertInBatch') AS j " +
              $"WHERE NOT EXISTS (SELECT 1 FROM {Table} o WITH (UPDLOCK, HOLDLOCK) WHERE o.delivery_id = j.delivery_id) " +
              $"AND ((j.confirmation = 0 AND EXISTS (SELECT 1 FROM {database.Table("hits")} h WHERE h.hit_id = j.hit_id AND h.alerted = 1 AND h.alert_delivered_ms IS NULL)) " +
              $"OR (j.confirmation = 1 AND EXISTS (SELECT 1 FROM {database.Table("hits")} h JOIN {database.Table("hit_confirmations")} hf ON hf.hit_id = h.hit_id WHERE h.hit_id = j.hit_id AND h.alerted = 1 AND hf.delivered_ms IS NULL) " +
              $"AND (j.alert_in_batch = 1 OR EXISTS (SELECT 1 FROM {Table} a WHERE a.delivery_id = j.alert_delivery_id))))"
            : $"INSERT INTO {Table} (delivery_id, alert_id, hit_id, channel, target, priority, body, created_at_ms, attempts, next_attempt_at_ms) " +
              "SELECT json_extract(value, '$.DeliveryId'), json_extract(value, '$.AlertId'), json_extract(value, '$.HitId'), json_extract(value, '$.Channel'), " +
              "json_extract(value, '$.Target'), json_extract(value, '$.Priority'), json_extract(value, '$.Body'), @now, 0, @now FROM json_each(@rows) " +
              $"WHERE NOT EXISTS (SELECT 1 FROM {Table} o WHERE o.delivery_id = json_extract(value, '$.DeliveryId')) " +
              $"AND ((json_extract(value, '$.Confirmation') = 0 AND EXISTS (SELECT 1 FROM {database.Table("hits")} h WHERE h.hit_id = json_extract(value, '$.HitId') AND h.alerted = 1 AND h.alert_delivered_ms IS NULL)) " +
              $"OR (json_extract(value, '$.Confirmation') = 1 AND EXISTS (SELECT 1 FROM {database.Table("hits")} h JOIN {database.Table("hit_confirmations")} hf ON hf.hit_id = h.hit_id WHERE h.hit_id = json_extract(value, '$.HitId') AND h.alerted = 1 AND hf.delivered_ms IS NULL) " +
              $"AND (json_extract(value, '$.AlertInBatch') = 1 OR EXISTS (SELECT 1 FROM {Table} a WHERE a.delivery_id = json_extract(value, '$.AlertDeliveryId')))))";
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            rows = new DbString { Value = System.Text.Json.JsonSerializer.Serialize(rows), IsAnsi = false, Length = -1 },
            now = now.ToUnixTimeMilliseconds(),
        }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> due rows for <paramref name="owner"/> until <paramref name="leaseUntil"/>. The
    /// UPDATE re-checks the lease in its own WHERE, so of two instances claiming at once each row goes to one of them.
    /// </summary>
    public async Task<IReadOnlyList<OutboxRow>> ClaimDueAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken cancellationToken = default)
    {
        var due = "delivered_at_ms IS NULL AND next_attempt_at_ms <= @now AND (lease_until_ms IS NULL OR lease_until_ms <= @now)";
        var pick = database.Dialect.Name == "sqlserver"
            ? $"SELECT TOP ({max}) delivery_id FROM {Table} WHERE {due} ORDER BY next_attempt_at_ms"
            : $"SELECT delivery_id FROM {Table} WHERE {due} ORDER BY next_attempt_at_ms LIMIT {max}";
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var parameters = new { owner = Ansi(owner, 64), now = now.ToUnixTimeMilliseconds(), until = leaseUntil.ToUnixTimeMilliseconds() };
        var claimed = await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {Table} SET lease_owner = @owner, lease_until_ms = @until WHERE delivery_id IN ({pick}) AND {due}",
            parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (claimed == 0)
        {
            return [];
        }

        var rows = await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {Columns}, body AS Body FROM {Table} WHERE lease_owner = @owner AND delivered_at_ms IS NULL ORDER BY next_attempt_at_ms",
            parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToList();
    }

    /// <summary>The receiver accepted the row: it is never sent again. False when the lease was lost meanwhile.</summary>
    public async Task<bool> MarkDeliveredAsync(string deliveryId, string owner, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {Table} SET delivered_at_ms = @at, attempts = attempts + 1, last_error = NULL, lease_owner = NULL, lease_until_ms = NULL " +
            "WHERE delivery_id = @deliveryId AND lease_owner = @owner",
            new { deliveryId = Ansi(deliveryId, 64), owner = Ansi(owner, 64), at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>The attempt failed: counted, its error kept, the row due again at <paramref name="nextAttempt"/>.</summary>
    public async Task<bool> MarkFailedAsync(string deliveryId, string owner, DateTimeOffset nextAttempt, string error, CancellationToken cancellationToken = default)
    {
        var trimmed = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {Table} SET attempts = attempts + 1, next_attempt_at_ms = @next, last_error = @error, lease_owner = NULL, lease_until_ms = NULL " +
            "WHERE delivery_id = @deliveryId AND lease_owner = @owner",
            new
            {
                deliveryId = Ansi(deliveryId, 64),
                owner = Ansi(owner, 64),
                next = nextAttempt.ToUnixTimeMilliseconds(),
                error = new DbString { Value = trimmed, IsAnsi = false, Length = MaxErrorLength },
            }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary><c>pending</c>: every undelivered row; <c>failed</c>: undelivered rows whose last attempt failed. Oldest first.</summary>
    public async Task<IReadOnlyList<OutboxRow>> ListAsync(string state, int limit, CancellationToken cancellationToken = default)
    {
        var where = state switch
        {
            "pending" => "delivered_at_ms IS NULL",
            "failed" => "delivered_at_ms IS NULL AND attempts > 0",
            _ => throw new ArgumentException($"state '{state}' is not pending or failed"),
        };
        var sql = database.Dialect.Name == "sqlserver"
            ? $"SELECT TOP ({limit}) {Columns} FROM {Table} WHERE {where} ORDER BY created_at_ms, delivery_id"
            : $"SELECT {Columns} FROM {Table} WHERE {where} ORDER BY created_at_ms, delivery_id LIMIT {limit}";
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<OutboxRow>(new CommandDefinition(sql, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
    }

    public async Task<OutboxCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleAsync<(long Pending, long Failing, long? Oldest)>(new CommandDefinition(
            $"SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) AS BIGINT), MIN(created_at_ms) FROM {Table} WHERE delivered_at_ms IS NULL",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new OutboxCounts(row.Pending, row.Failing, row.Oldest);
    }

    /// <summary>
    /// Housekeeping: delivered rows older than <paramref name="deliveredBefore"/>, and every row (delivered or not)
    /// queued before <paramref name="retentionCutoff"/>, the hit retention limit: the body holds a plate, and nothing
    /// about a purged hit may outlive it.
    /// </summary>
    public async Task<long> PurgeAsync(DateTimeOffset deliveredBefore, DateTimeOffset retentionCutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM {Table} WHERE (delivered_at_ms IS NOT NULL AND delivered_at_ms < @delivered) OR created_at_ms < @cutoff",
            new { delivered = deliveredBefore.ToUnixTimeMilliseconds(), cutoff = retentionCutoff.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private static DbString Ansi(string value, int length) => new() { Value = value, IsAnsi = true, Length = Math.Max(length, value.Length) };
}
