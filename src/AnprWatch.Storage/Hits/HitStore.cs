using AnprWatch.Core.Hits;
using AnprWatch.Core.Pipeline;
using Dapper;

namespace AnprWatch.Storage.Hits;

/// <param name="RoutedTo">A key's scope: only hits whose camera or host force is one of these (null: every force).</param>
public sealed record HitQuery(DateTimeOffset From, DateTimeOffset ToExclusive, string? ForceCode = null, string? Vrm = null, IReadOnlyCollection<string>? HostForces = null,
    IReadOnlyCollection<string>? RoutedTo = null);

/// <summary>Hits, idempotent on (read_id, marker_id); the pipeline's <see cref="IHitStore"/> and the query side for lists and reports.</summary>
/// <param name="outbox">
/// serve's notification subscriptions: the notifications of a batch's alerted hits are queued in the batch's own
/// transaction, so a hit is never stored without them (a SIGKILL between the two is impossible). Null elsewhere.
/// </param>
public sealed class HitStore(Database database, Notifications.IOutboxPlanner? outbox = null) : IHitStore
{
    /// <summary>
    /// Ids per <c>IN</c> list. Dapper expands a list to one parameter per id and SQL Server takes at most 2,100 in a
    /// statement, so a batch with thousands of hits is read and marked in chunks (SQLite is held to the same limit,
    /// <see cref="Dialects.SqliteDialect.MaxParameters"/>, so every test on it would catch a statement over it).
    /// </summary>
    public const int IdsPerStatement = 1000;

    /// <summary>Hits per insert statement (one JSON parameter of about a megabyte).</summary>
    public const int HitsPerStatement = 1000;

    public async Task<IReadOnlyList<Hit>> SaveHitsAsync(IReadOnlyList<Hit> hits, CancellationToken cancellationToken)
    {
        if (hits.Count == 0)
        {
            return [];
        }

        var stored = new Dictionary<string, Hit>(hits.Count, StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            // A bounded number of round trips whatever the batch: one JSON parameter per chunk of hits. The first of
            // two hits with the same (read_id, marker_id) in one batch wins, as it would one statement per hit.
            var insert = database.Dialect.InsertHitsFromJson(HitRow.JsonColumns);
            var rows = hits.Select(HitRow.From).DistinctBy(r => (r.ReadId, r.MarkerId)).ToList();
            foreach (var chunk in rows.Chunk(HitsPerStatement))
            {
                var json = System.Text.Json.JsonSerializer.Serialize(chunk);
                await connection.ExecuteAsync(new CommandDefinition(insert, new { rows = new DbString { Value = json, IsAnsi = false, Length = -1 } }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            // Read back what is stored, inside the transaction: a hit stored by an earlier attempt keeps its original
            // decision, and the notifications are planned from exactly the hit the alert sinks will publish.
            foreach (var ids in hits.Select(h => h.HitId).Distinct(StringComparer.Ordinal).Chunk(IdsPerStatement))
            {
                var storedRows = await connection.QueryAsync<HitRow>(new CommandDefinition(
                    $"SELECT {HitRow.Columns}, alert_delivered_ms AS AlertDeliveredMs FROM {database.Table("hits")} WHERE hit_id IN @ids",
                    new { ids = ids.Select(Typed.HitId) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                foreach (var row in storedRows)
                {
                    stored[row.HitId] = row.ToHit();
                }
            }

            if (outbox is { IsEmpty: false })
            {
                var entries = new List<Notifications.OutboxEntry>();
                foreach (var hit in stored.Values.Where(h => h.Alerted && !h.AlertDelivered))
                {
                    outbox.Plan(hit, entries);
                }

                await new Notifications.OutboxStore(database).EnqueueAsync(connection, transaction, entries, hits.Max(h => h.RecordedAt), cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return hits.Select(h => stored[h.HitId]).ToList();
    }

    public async Task MarkAlertsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var ids in hitIds.Chunk(IdsPerStatement))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE {database.Table("hits")} SET alert_delivered_ms = @at WHERE hit_id IN @ids AND alert_delivered_ms IS NULL",
                new { ids = ids.Select(Typed.HitId), at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    public async Task<DateTimeOffset?> LastAlertedAsync(string markerId, string cameraForce, DateTimeOffset from, DateTimeOffset to, string excludingHitId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var ms = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT MAX(observed_at_ms) FROM {database.Table("hits")} WHERE marker_id = @markerId AND camera_force = @cameraForce AND alerted = 1 " +
            "AND observed_at_ms >= @from AND observed_at_ms <= @to AND hit_id <> @excludingHitId",
            new { markerId = Typed.MarkerId(markerId), cameraForce = Typed.ForceCode(cameraForce), from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(), excludingHitId = Typed.HitId(excludingHitId) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
    }

    /// <summary>
    /// Retention: deletes hits observed before <paramref name="before"/> (and their outcomes) with one erasure audit
    /// entry that says how many and up to when, never which plates.
    /// </summary>
    public async Task<long> PurgeAsync(DateTimeOffset before, string actor, Audit.AuditLog audit, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        // In chunks, each its own short transaction: one statement over a year of hits held the write lock (and on SQL
        // Server escalated to a table lock) for as long as it took, stalling the worker's inserts. A crash between
        // chunks leaves fewer hits to purge; the next run deletes the rest and its audit entry counts them.
        var cutoff = before.ToUnixTimeMilliseconds();
        long deleted = 0;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var ids = (await connection.QueryAsync<string>(new CommandDefinition(
                database.Dialect.Name == "sqlserver"
                    ? $"SELECT TOP ({IdsPerStatement}) hit_id FROM {database.Table("hits")} WHERE observed_at_ms < @cutoff ORDER BY observed_at_ms"
                    : $"SELECT hit_id FROM {database.Table("hits")} WHERE observed_at_ms < @cutoff ORDER BY observed_at_ms LIMIT {IdsPerStatement}",
                new { cutoff }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
            if (ids.Count == 0)
            {
                break;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var typed = ids.Select(Typed.HitId).ToList();
            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {database.Table("outcome_reasons")} WHERE outcome_id IN (SELECT outcome_id FROM {database.Table("outcomes")} WHERE hit_id IN @ids)",
                new { ids = typed }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {database.Table("outcomes")} WHERE hit_id IN @ids", new { ids = typed }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            deleted += await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {database.Table("hits")} WHERE hit_id IN @ids AND observed_at_ms < @cutoff", new { ids = typed, cutoff }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await audit.AppendAsync(new Audit.AuditEntry(clock.GetUtcNow(), actor, "system", Audit.AuditActions.Erase,
            $"retention purge: {deleted} hits observed before {before.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}"), cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>Every hit column plus its latest outcome, from <c>hits h</c>.</summary>
    private string SelectHits(string top = "") =>
        $"SELECT {top}{string.Join(", ", HitRow.Columns.Split(", ").Select(c => "h." + c))}, " +
        $"(SELECT o.status FROM {database.Table("outcomes")} o WHERE o.outcome_id = (SELECT MAX(o2.outcome_id) FROM {database.Table("outcomes")} o2 WHERE o2.hit_id = h.hit_id)) AS outcome " +
        $"FROM {database.Table("hits")} h";

    /// <summary>
    /// Alerted hits recorded after a cursor (recorded time, then hit id), oldest first: the alert board's feed. The
    /// cursor is what a reconnecting board sends back as Last-Event-ID.
    /// </summary>
    /// <param name="routedTo">A key's scope: only alerts routed to one of these forces (camera or host force); null: all.</param>
    public async Task<IReadOnlyList<Hit>> AlertedAfterAsync(long recordedAfterMs, string hitIdAfter, string? force, int limit, CancellationToken cancellationToken = default,
        IReadOnlyCollection<string>? routedTo = null)
    {
        var sql = SelectHits(database.Dialect.Name == "sqlserver" ? $"TOP ({limit}) " : "") +
                  " WHERE h.alerted = 1 AND (h.recorded_at_ms > @ms OR (h.recorded_at_ms = @ms AND h.hit_id > @id))" +
                  (force is null ? "" : " AND (h.camera_force = @force OR h.host_force = @force)") +
                  (routedTo is null ? "" : " AND (h.camera_force IN @routedTo OR h.host_force IN @routedTo)") +
                  " ORDER BY h.recorded_at_ms, h.hit_id" + (database.Dialect.Name == "sqlserver" ? "" : $" LIMIT {limit}");
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<HitRow>(new CommandDefinition(sql, new
        {
            ms = recordedAfterMs, id = Typed.HitId(hitIdAfter), force = Typed.ForceCode(force), routedTo = routedTo?.Select(Typed.ForceCode).ToArray() ?? [],
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToHit()).ToList();
    }

    /// <summary>The forces a hit's alert is routed to (camera force, host force), or null when there is no such hit.</summary>
    public async Task<HitRouting?> RoutingOfAsync(string hitId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<HitRouting>(new CommandDefinition(
            $"SELECT camera_force, host_force FROM {database.Table("hits")} WHERE hit_id = @hitId",
            new { hitId = Typed.HitId(hitId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Hit>> QueryAsync(HitQuery query, CancellationToken cancellationToken = default)
    {
        var sql = SelectHits() + " WHERE h.observed_at_ms >= @from AND h.observed_at_ms < @to";
        if (query.ForceCode is not null)
        {
            sql += " AND (h.camera_force = @force OR h.host_force = @force)";
        }

        if (query.Vrm is not null)
        {
            sql += " AND (h.vrm = @vrm OR h.marker_vrm = @vrm)";
        }

        if (query.HostForces is { Count: > 0 })
        {
            sql += " AND h.host_force IN @hostForces";
        }

        if (query.RoutedTo is not null)
        {
            sql += " AND (h.camera_force IN @routedTo OR h.host_force IN @routedTo)";
        }

        sql += " ORDER BY h.observed_at_ms, h.hit_id";
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<HitRow>(new CommandDefinition(sql, new
        {
            from = query.From.ToUnixTimeMilliseconds(),
            to = query.ToExclusive.ToUnixTimeMilliseconds(),
            force = Typed.ForceCode(query.ForceCode),
            vrm = Typed.Vrm(query.Vrm),
            hostForces = query.HostForces?.Select(Typed.ForceCode).ToArray() ?? [],
            routedTo = query.RoutedTo?.Select(Typed.ForceCode).ToArray() ?? [],
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToHit()).ToList();
    }
}

/// <summary>Where a hit's alert goes (DESIGN §4.3): its camera force and its host force.</summary>
public sealed class HitRouting
{
    public string CameraForce { get; set; } = "";
    public string HostForce { get; set; } = "";
}
