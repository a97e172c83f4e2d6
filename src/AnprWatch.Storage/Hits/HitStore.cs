using AnprWatch.Core.Hits;
using AnprWatch.Core.Hits.Clones;
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
    /// Ids per <c>IN</c> list where ids are still sent one parameter each (the purge's chunks, outcome history): Dapper
    /// expands a list to one parameter per id and SQL Server takes at most 2,100 in a statement (SQLite is held to the
    /// same limit, <see cref="Dialects.SqliteDialect.MaxParameters"/>, so every test on it would catch a statement over it).
    /// </summary>
    public const int IdsPerStatement = 1000;

    /// <summary>
    /// Round trips are bounded by construction, whatever the batch: every set a statement needs (a batch's hits, its
    /// clone flags and confirmations, the hit or marker ids it reads back, marks or looks up) travels as one JSON
    /// parameter, read by <c>OPENJSON … WITH (…)</c> (typed to the columns, so SQL Server seeks) or SQLite's
    /// <c>json_each</c>. One statement per step, never one per row or per 1,000 ids, and never near SQL Server's 2,100
    /// parameters. A hit is about 1 KB of JSON, so a 2,500-hit batch sends a 2.5 MB parameter.
    /// </summary>
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
            // The first of two hits with the same (read_id, marker_id) in one batch wins, as it would one statement per hit.
            var rows = hits.Select(HitRow.From).DistinctBy(r => (r.ReadId, r.MarkerId)).ToList();

            // Clone flags first, and only for hits not stored yet: a re-processed read keeps its original decision.
            var clones = rows.Where(r => r.PossibleClone).Select(r => new { r.HitId, r.CloneOfHitId }).ToList();
            if (clones.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertClones, JsonRows(clones), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await connection.ExecuteAsync(new CommandDefinition(database.Dialect.InsertHitsFromJson(HitRow.JsonColumns), JsonRows(rows), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

            // A confirmation is the confirming read's fact about an earlier hit; the first one stored wins.
            var confirmations = hits.Where(h => h.ConfirmsHitId is not null).Select(h => new
            {
                HitId = h.ConfirmsHitId,
                ConfirmingReadId = h.ReadId,
                ConfirmedAtMs = h.ObservedAt.ToUnixTimeMilliseconds(),
                ConfirmedOffsetMin = (long)h.ObservedAt.Offset.TotalMinutes,
            }).DistinctBy(c => c.HitId).ToList();
            if (confirmations.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertConfirmations, JsonRows(confirmations), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            // Read back what is stored, inside the transaction, in one statement: the batch's hits (a hit stored by an
            // earlier attempt keeps its original decision, and the notifications are planned from exactly the hit the
            // alert sinks will publish) and the hits this batch confirmed (their confirmation is notified too).
            var batchIds = hits.Select(h => h.HitId).ToHashSet(StringComparer.Ordinal);
            var confirmedIds = outbox is { IsEmpty: false } ? confirmations.Select(c => c.HitId!).ToList() : [];
            var readBack = (await connection.QueryAsync<HitRow>(new CommandDefinition(
                $"SELECT {string.Join(", ", HitRow.Columns.Split(", ").Select(c => "h." + c))}, h.alert_delivered_ms AS AlertDeliveredMs, {Enrichment} FROM {database.Table("hits")} h {EnrichmentJoins} WHERE h.hit_id IN {IdsIn("ids")}",
                new { ids = JsonIds(batchIds.Concat(confirmedIds).Distinct(StringComparer.Ordinal)) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                .Select(row => row.ToHit()).ToList();
            foreach (var hit in readBack.Where(h => batchIds.Contains(h.HitId)))
            {
                stored[hit.HitId] = hit;
            }

            if (outbox is { IsEmpty: false })
            {
                var entries = new List<Notifications.OutboxEntry>();
                foreach (var hit in stored.Values.Where(h => h.Alerted && !h.AlertDelivered))
                {
                    outbox.Plan(hit, entries);
                }

                // A confirmation this batch stored (the first one wins, so only where the stored confirming read is
                // this batch's) is notified too, in the same transaction; its delivery id keeps a re-run from queueing it twice.
                var confirmingRead = confirmations.ToDictionary(c => c.HitId!, c => c.ConfirmingReadId, StringComparer.Ordinal);
                foreach (var confirmed in readBack.Where(h => confirmingRead.TryGetValue(h.HitId, out var read) && read == h.ConfirmingReadId))
                {
                    outbox.PlanConfirmation(confirmed, entries);
                }

                await new Notifications.OutboxStore(database).EnqueueAsync(connection, transaction, entries, hits.Max(h => h.RecordedAt), cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return hits.Select(h => stored[h.HitId]).ToList();
    }

    /// <summary>
    /// <c>(SELECT …)</c> of the ids in the JSON array parameter <paramref name="parameter"/> (see <see cref="JsonIds"/>), for
    /// <c>hit_id IN …</c> or <c>marker_id IN …</c>: typed <c>VARCHAR(32)</c> like both columns on SQL Server.
    /// </summary>
    private string IdsIn(string parameter) => database.Dialect.Name == "sqlserver"
        ? $"(SELECT j.id FROM OPENJSON(@{parameter}) WITH (id VARCHAR(32) '$') AS j)"
        : $"(SELECT value FROM json_each(@{parameter}))";

    /// <summary>A set of ids as one JSON array parameter: one round trip for any number of them.</summary>
    private static DbString JsonIds(IEnumerable<string> ids) => new() { Value = System.Text.Json.JsonSerializer.Serialize(ids), IsAnsi = false, Length = -1 };

    public Task MarkAlertsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
        => MarkDeliveredAsync("hits", "alert_delivered_ms", hitIds, at, cancellationToken);

    /// <summary>Sets a delivery time on the rows of these hits not yet delivered, in one statement (an earlier mark is kept).</summary>
    private async Task MarkDeliveredAsync(string table, string column, IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (hitIds.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {database.Table(table)} SET {column} = @at WHERE hit_id IN {IdsIn("ids")} AND {column} IS NULL",
            new { ids = JsonIds(hitIds), at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// The latest alerted hit for a marker in a camera force observed in [from, to], other than
    /// <paramref name="excludingHitId"/>, in one query: the question the pipeline now answers for a whole batch with
    /// <see cref="AlertedHitsAsync"/> (over the repeat window either side of each hit), kept as the contract tests'
    /// independent answer to it.
    /// </summary>
    public async Task<AlertedHitRef?> LastAlertedHitAsync(string markerId, string cameraForce, DateTimeOffset from, DateTimeOffset to, string excludingHitId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QueryFirstOrDefaultAsync<AlertedRow>(new CommandDefinition(
            database.Dialect.Top1(
                "h.hit_id, h.observed_at_ms, h.match_kind, hf.confirming_read_id, h.lat, h.lon, h.priority",
                $"FROM {database.Table("hits")} h LEFT JOIN {database.Table("hit_confirmations")} hf ON hf.hit_id = h.hit_id " +
                "WHERE h.marker_id = @markerId AND h.camera_force = @cameraForce AND h.alerted = 1 " +
                "AND h.observed_at_ms >= @from AND h.observed_at_ms <= @to AND h.hit_id <> @excludingHitId ORDER BY h.observed_at_ms DESC, h.hit_id DESC"),
            new { markerId = Typed.MarkerId(markerId), cameraForce = Typed.ForceCode(cameraForce), from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(), excludingHitId = Typed.HitId(excludingHitId) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : new AlertedHitRef(row.HitId, DateTimeOffset.FromUnixTimeMilliseconds(row.ObservedAtMs), HitLabels.ParseMatchKind(row.MatchKind), row.ConfirmingReadId, row.Lat, row.Lon, HitLabels.ParsePriority(row.Priority));
    }

    public async Task<IReadOnlyList<AlertedHitInForce>> AlertedHitsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var result = new List<AlertedHitInForce>();
        if (markerIds.Count == 0)
        {
            return result;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AlertedInForceRow>(new CommandDefinition(
            "SELECT h.marker_id, h.camera_force, h.hit_id, h.observed_at_ms, h.match_kind, hf.confirming_read_id, h.lat, h.lon, h.priority " +
            $"FROM {database.Table("hits")} h LEFT JOIN {database.Table("hit_confirmations")} hf ON hf.hit_id = h.hit_id " +
            $"WHERE h.marker_id IN {IdsIn("markerIds")} AND h.alerted = 1 AND h.observed_at_ms >= @from AND h.observed_at_ms <= @to",
            new { markerIds = JsonIds(markerIds), from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var row in rows)
        {
            result.Add(new AlertedHitInForce(row.MarkerId, row.CameraForce,
                new AlertedHitRef(row.HitId, DateTimeOffset.FromUnixTimeMilliseconds(row.ObservedAtMs), HitLabels.ParseMatchKind(row.MatchKind), row.ConfirmingReadId, row.Lat, row.Lon, HitLabels.ParsePriority(row.Priority))));
        }

        return result;
    }

    public async Task<IReadOnlyList<StoredSighting>> LatestSightingsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var result = new List<StoredSighting>();
        if (markerIds.Count == 0)
        {
            return result;
        }

        // Exact hits with a position in the window; the latest of them per marker. 0,0 is no position (cameras without a
        // GPS fix send it; the pipeline never makes it a sighting): taken from the store it flagged the next UK sighting as
        // a clone of it, and as the latest it hid the real sighting before it.
        static string Positioned(string a) => $"{a}.match_kind = 'exact' AND {a}.lat IS NOT NULL AND {a}.lon IS NOT NULL AND NOT ({a}.lat = 0 AND {a}.lon = 0) " +
                                              $"AND {a}.observed_at_ms >= @from AND {a}.observed_at_ms <= @to";
        var hits = database.Table("hits");
        var sql = "SELECT h.marker_id, h.hit_id, h.read_id, h.observed_at_ms, h.lat, h.lon " +
                  $"FROM {hits} h WHERE h.marker_id IN {IdsIn("ids")} AND {Positioned("h")} " +
                  $"AND h.observed_at_ms = (SELECT MAX(h2.observed_at_ms) FROM {hits} h2 WHERE h2.marker_id = h.marker_id AND {Positioned("h2")}) " +
                  "ORDER BY h.marker_id, h.hit_id";
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SightingRow>(new CommandDefinition(sql,
            new { ids = JsonIds(markerIds), from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        result.AddRange(rows.Select(r => new StoredSighting(r.MarkerId, new Sighting(r.ReadId, r.HitId, DateTimeOffset.FromUnixTimeMilliseconds(r.ObservedAtMs).UtcTicks, r.Lat, r.Lon))));

        return result;
    }

    public async Task<IReadOnlyList<Hit>> UndeliveredConfirmationsAsync(IReadOnlyList<string> hitIds, CancellationToken cancellationToken)
    {
        if (hitIds.Count == 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<HitRow>(new CommandDefinition(
            SelectHits() + $" WHERE h.hit_id IN {IdsIn("ids")} AND hf.hit_id IS NOT NULL AND hf.delivered_ms IS NULL ORDER BY h.observed_at_ms, h.hit_id",
            new { ids = JsonIds(hitIds) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToHit()).ToList();
    }

    public Task MarkConfirmationsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
        => MarkDeliveredAsync("hit_confirmations", "delivered_ms", hitIds, at, cancellationToken);

    /// <summary>The flags a hit carries from hit_clones and hit_confirmations, for a SELECT over <c>hits h</c> with <see cref="EnrichmentJoins"/>.</summary>
    private const string Enrichment =
        "CAST(CASE WHEN hc.hit_id IS NULL THEN 0 ELSE 1 END AS BIT) AS possible_clone, hc.clone_of_hit_id, " +
        "hf.confirmed_at_ms, hf.confirmed_offset_min, hf.confirming_read_id";

    private string EnrichmentJoins =>
        $"LEFT JOIN {database.Table("hit_clones")} hc ON hc.hit_id = h.hit_id LEFT JOIN {database.Table("hit_confirmations")} hf ON hf.hit_id = h.hit_id";

    private string InsertClones => database.Dialect.Name == "sqlserver"
        ? "INSERT INTO dbo.hit_clones (hit_id, clone_of_hit_id) SELECT j.hit_id, j.clone_of_hit_id " +
          "FROM OPENJSON(@rows) WITH (hit_id VARCHAR(32) '$.HitId', clone_of_hit_id VARCHAR(32) '$.CloneOfHitId') AS j " +
          "WHERE NOT EXISTS (SELECT 1 FROM dbo.hits h WHERE h.hit_id = j.hit_id) AND NOT EXISTS (SELECT 1 FROM dbo.hit_clones c WITH (UPDLOCK, HOLDLOCK) WHERE c.hit_id = j.hit_id)"
        : "INSERT OR IGNORE INTO hit_clones (hit_id, clone_of_hit_id) SELECT json_extract(value, '$.HitId'), json_extract(value, '$.CloneOfHitId') FROM json_each(@rows) " +
          "WHERE NOT EXISTS (SELECT 1 FROM hits h WHERE h.hit_id = json_extract(value, '$.HitId'))";

    private string InsertConfirmations => database.Dialect.Name == "sqlserver"
        ? "INSERT INTO dbo.hit_confirmations (hit_id, confirming_read_id, confirmed_at_ms, confirmed_offset_min) " +
          "SELECT j.hit_id, j.confirming_read_id, j.confirmed_at_ms, j.confirmed_offset_min FROM OPENJSON(@rows) " +
          "WITH (hit_id VARCHAR(32) '$.HitId', confirming_read_id NVARCHAR(64) '$.ConfirmingReadId', confirmed_at_ms BIGINT '$.ConfirmedAtMs', confirmed_offset_min INT '$.ConfirmedOffsetMin') AS j " +
          "WHERE NOT EXISTS (SELECT 1 FROM dbo.hit_confirmations c WITH (UPDLOCK, HOLDLOCK) WHERE c.hit_id = j.hit_id)"
        : "INSERT OR IGNORE INTO hit_confirmations (hit_id, confirming_read_id, confirmed_at_ms, confirmed_offset_min) " +
          "SELECT json_extract(value, '$.HitId'), json_extract(value, '$.ConfirmingReadId'), json_extract(value, '$.ConfirmedAtMs'), json_extract(value, '$.ConfirmedOffsetMin') FROM json_each(@rows)";

    private static object JsonRows<T>(IEnumerable<T> rows)
        => new { rows = new DbString { Value = System.Text.Json.JsonSerializer.Serialize(rows), IsAnsi = false, Length = -1 } };

    private sealed class AlertedInForceRow
    {
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string MarkerId { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string CameraForce { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string HitId { get; set; } = "";
        public long ObservedAtMs { get; set; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string MatchKind { get; set; } = "";
        public string? ConfirmingReadId { get; set; }
        public double? Lat { get; set; }
        public double? Lon { get; set; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Priority { get; set; } = "";
    }

    private sealed class AlertedRow
    {
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string HitId { get; set; } = "";
        public long ObservedAtMs { get; set; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string MatchKind { get; set; } = "";
        public string? ConfirmingReadId { get; set; }
        public double? Lat { get; set; }
        public double? Lon { get; set; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Priority { get; set; } = "";
    }

    private sealed class SightingRow
    {
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string MarkerId { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string HitId { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string ReadId { get; set; } = "";
        public long ObservedAtMs { get; set; }
        public double Lat { get; set; }
        public double Lon { get; set; }
    }

    /// <summary>The time of the latest alerted hit (see <see cref="LastAlertedHitAsync"/>).</summary>
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

            // The chunk's ids as one JSON parameter (see IdsIn), not 1,000 parameters parsed and bound five times over.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var chunk = ids.ToList();
            foreach (var enrichment in new[] { "hit_clones", "hit_confirmations" })
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"DELETE FROM {database.Table(enrichment)} WHERE hit_id IN {IdsIn("ids")}", new { ids = JsonIds(chunk) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {database.Table("outcome_reasons")} WHERE outcome_id IN (SELECT outcome_id FROM {database.Table("outcomes")} WHERE hit_id IN {IdsIn("ids")})",
                new { ids = JsonIds(chunk) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {database.Table("outcomes")} WHERE hit_id IN {IdsIn("ids")}", new { ids = JsonIds(chunk) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            deleted += await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {database.Table("hits")} WHERE hit_id IN {IdsIn("ids")} AND observed_at_ms < @cutoff", new { ids = JsonIds(chunk), cutoff }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await audit.AppendAsync(new Audit.AuditEntry(clock.GetUtcNow(), actor, "system", Audit.AuditActions.Erase,
            $"retention purge: {deleted} hits observed before {before.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}"), cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>Every hit column plus its latest outcome, from <c>hits h</c>.</summary>
    private string SelectHits(string top = "") =>
        $"SELECT {top}{string.Join(", ", HitRow.Columns.Split(", ").Select(c => "h." + c))}, " +
        $"(SELECT o.status FROM {database.Table("outcomes")} o WHERE o.outcome_id = (SELECT MAX(o2.outcome_id) FROM {database.Table("outcomes")} o2 WHERE o2.hit_id = h.hit_id)) AS outcome, " +
        $"{Enrichment} FROM {database.Table("hits")} h {EnrichmentJoins}";

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
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string CameraForce { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string HostForce { get; set; } = "";
}
