using AnprWatch.Storage.Audit;
using Dapper;

namespace AnprWatch.Storage.Hits;

/// <summary>
/// One recorded outcome of a hit. <see cref="Reason"/> is set only for <c>false-hit</c> and <c>no-trace</c>.
/// <see cref="CameraForce"/>/<see cref="HostForce"/> are the hit's, so a board filtered by force can route the change.
/// </summary>
public sealed record Outcome(long OutcomeId, string HitId, string Status, string? Reason, string? Note, string RecordedBy, DateTimeOffset RecordedAt,
    string CameraForce, string HostForce);

/// <summary>What a control room did about a hit (DESIGN §4.7, §8); each record is audited with the hit it concerns.</summary>
public sealed class OutcomeStore(Database database, AuditLog audit, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> Statuses = ["acknowledged", "dispatched", "no-trace", "stopped", "disruption", "safeguarding", "false-hit"];

    /// <summary>The statuses that must say why (DESIGN §8): the evaluation report counts these reasons.</summary>
    public static readonly IReadOnlyList<string> StatusesNeedingReason = ["false-hit", "no-trace"];

    public static readonly IReadOnlyList<string> Reasons = ["misread", "cloned-plate", "marker-out-of-date", "vehicle-no-longer-linked", "other"];

    public const int MaxNoteLength = 2000;

    /// <summary>Every outcome recorded on hits observed in [from, to).</summary>
    public async Task<IReadOnlyList<Core.Reports.OutcomeRecord>> ForHitsObservedAsync(DateTimeOffset from, DateTimeOffset toExclusive, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string HitId, string Status, long RecordedAtMs, string? Reason)>(new CommandDefinition(
            $"SELECT o.hit_id, o.status, o.recorded_at_ms, r.reason FROM {database.Table("outcomes")} o JOIN {database.Table("hits")} h ON h.hit_id = o.hit_id " +
            $"LEFT JOIN {database.Table("outcome_reasons")} r ON r.outcome_id = o.outcome_id " +
            "WHERE h.observed_at_ms >= @from AND h.observed_at_ms < @to ORDER BY o.outcome_id",
            new { from = from.ToUnixTimeMilliseconds(), to = toExclusive.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new Core.Reports.OutcomeRecord(r.HitId, r.Status, DateTimeOffset.FromUnixTimeMilliseconds(r.RecordedAtMs), r.Reason)).ToList();
    }

    /// <summary>
    /// Checks a status and reason as the API receives them; the message names the field (<c>status</c>, <c>reason</c>
    /// or <c>note</c>) so a client can show it beside the control. Null when they are valid.
    /// </summary>
    public static (string Field, string Message)? Validate(string? status, string? reason, string? note)
    {
        if (string.IsNullOrEmpty(status))
        {
            return ("status", $"status is required: one of {string.Join(", ", Statuses)}");
        }

        if (!Statuses.Contains(status))
        {
            return ("status", $"status '{status}' is not one of {string.Join(", ", Statuses)}");
        }

        if (StatusesNeedingReason.Contains(status))
        {
            if (string.IsNullOrEmpty(reason))
            {
                return ("reason", $"reason is required for {status}: one of {string.Join(", ", Reasons)}");
            }

            if (!Reasons.Contains(reason))
            {
                return ("reason", $"reason '{reason}' is not one of {string.Join(", ", Reasons)}");
            }
        }
        else if (reason is not null)
        {
            return ("reason", $"reason is given only with {string.Join(" or ", StatusesNeedingReason)}, not with {status}");
        }

        return note is { Length: > MaxNoteLength } ? ("note", $"note is at most {MaxNoteLength} characters") : null;
    }

    /// <summary>Records an outcome; null when the hit does not exist.</summary>
    public async Task<Outcome?> RecordAsync(string hitId, string status, string? reason, string? note, string recordedBy, string role, CancellationToken cancellationToken = default)
    {
        if (Validate(status, reason, note) is { } problem)
        {
            throw new ArgumentException(problem.Message, problem.Field);
        }

        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM {database.Table("hits")} WHERE hit_id = @hitId", new { hitId = Typed.HitId(hitId) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (exists == 0)
        {
            return null;
        }

        // The new id in the same statement batch: SQL Server's SCOPE_IDENTITY() is null in a batch of its own.
        var outcomeId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"INSERT INTO {database.Table("outcomes")} (hit_id, status, note, recorded_by, recorded_at_ms) VALUES (@hitId, @status, @note, @recordedBy, @at); {database.Dialect.LastInsertId}",
            new { hitId = Typed.HitId(hitId), status, note, recordedBy, at = now.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (reason is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO {database.Table("outcome_reasons")} (outcome_id, reason) VALUES (@outcomeId, @reason)",
                new { outcomeId, reason = Typed.Reason(reason) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        // The hit's forces route the change to boards filtered by force.
        var forces = (await connection.QueryAsync<(string CameraForce, string HostForce)>(new CommandDefinition(
            $"SELECT camera_force, host_force FROM {database.Table("hits")} WHERE hit_id = @hitId", new { hitId = Typed.HitId(hitId) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).FirstOrDefault();
        await audit.AppendAsync(connection, transaction, new AuditEntry(now, recordedBy, role, AuditActions.Alter,
            $"outcome {status}{(reason is null ? "" : " (" + reason + ")")} on hit {hitId}"), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new Outcome(outcomeId, hitId, status, reason, note, recordedBy, now, forces.CameraForce ?? "", forces.HostForce ?? "");
    }

    /// <summary>The full outcome history of each hit, oldest first (the board shows all of it, not only the latest).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Outcome>>> HistoryAsync(IReadOnlyCollection<string> hitIds, CancellationToken cancellationToken = default)
    {
        var history = new Dictionary<string, IReadOnlyList<Outcome>>(StringComparer.Ordinal);
        if (hitIds.Count == 0)
        {
            return history;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var ids in hitIds.Distinct(StringComparer.Ordinal).Chunk(HitStore.IdsPerStatement))
        {
            var rows = await connection.QueryAsync<OutcomeRow>(new CommandDefinition(
                SelectOutcomes + " WHERE o.hit_id IN @ids ORDER BY o.outcome_id",
                new { ids = ids.Select(Typed.HitId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            foreach (var group in rows.GroupBy(r => r.HitId, StringComparer.Ordinal))
            {
                history[group.Key] = group.Select(r => r.ToOutcome()).ToList();
            }
        }

        return history;
    }

    /// <summary>
    /// Outcomes recorded at or after an instant, oldest first: the one change-cursor query an instance makes (not one
    /// per board) to pass on acknowledgements and outcomes recorded by other instances.
    /// </summary>
    public async Task<IReadOnlyList<Outcome>> RecordedSinceAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken = default)
    {
        var sqlServer = database.Dialect.Name == "sqlserver";
        var sql = SelectOutcomes.Replace("SELECT ", sqlServer ? $"SELECT TOP ({limit}) " : "SELECT ", StringComparison.Ordinal) +
                  " WHERE o.recorded_at_ms >= @since ORDER BY o.recorded_at_ms, o.outcome_id" + (sqlServer ? "" : $" LIMIT {limit}");
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<OutcomeRow>(new CommandDefinition(sql, new { since = since.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToOutcome()).ToList();
    }

    private string SelectOutcomes =>
        "SELECT o.outcome_id AS OutcomeId, o.hit_id AS HitId, o.status AS Status, r.reason AS Reason, o.note AS Note, o.recorded_by AS RecordedBy, " +
        "o.recorded_at_ms AS RecordedAtMs, h.camera_force AS CameraForce, h.host_force AS HostForce " +
        $"FROM {database.Table("outcomes")} o JOIN {database.Table("hits")} h ON h.hit_id = o.hit_id " +
        $"LEFT JOIN {database.Table("outcome_reasons")} r ON r.outcome_id = o.outcome_id";

    private sealed class OutcomeRow
    {
        public long OutcomeId { get; init; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string HitId { get; init; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Status { get; init; } = "";
        public string? Reason { get; init; }
        public string? Note { get; init; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string RecordedBy { get; init; } = "";
        public long RecordedAtMs { get; init; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string CameraForce { get; init; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string HostForce { get; init; } = "";

        public Outcome ToOutcome() => new(OutcomeId, HitId, Status, Reason, Note, RecordedBy, DateTimeOffset.FromUnixTimeMilliseconds(RecordedAtMs), CameraForce, HostForce);
    }
}
