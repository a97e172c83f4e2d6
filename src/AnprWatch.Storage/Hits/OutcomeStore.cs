using AnprWatch.Storage.Audit;
using Dapper;

namespace AnprWatch.Storage.Hits;

public sealed record Outcome(string HitId, string Status, string? Note, string RecordedBy, DateTimeOffset RecordedAt);

/// <summary>What a control room did about a hit (DESIGN §4.7); each record is audited with the hit it concerns.</summary>
public sealed class OutcomeStore(Database database, AuditLog audit, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> Statuses = ["acknowledged", "dispatched", "no-trace", "stopped", "disruption", "safeguarding", "false-hit"];

    public const int MaxNoteLength = 2000;

    /// <summary>Every outcome recorded on hits observed in [from, to).</summary>
    public async Task<IReadOnlyList<Core.Reports.OutcomeRecord>> ForHitsObservedAsync(DateTimeOffset from, DateTimeOffset toExclusive, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string HitId, string Status, long RecordedAtMs)>(new CommandDefinition(
            $"SELECT o.hit_id, o.status, o.recorded_at_ms FROM {database.Table("outcomes")} o JOIN {database.Table("hits")} h ON h.hit_id = o.hit_id " +
            "WHERE h.observed_at_ms >= @from AND h.observed_at_ms < @to ORDER BY o.outcome_id",
            new { from = from.ToUnixTimeMilliseconds(), to = toExclusive.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new Core.Reports.OutcomeRecord(r.HitId, r.Status, DateTimeOffset.FromUnixTimeMilliseconds(r.RecordedAtMs))).ToList();
    }

    /// <summary>Records an outcome; null when the hit does not exist.</summary>
    public async Task<Outcome?> RecordAsync(string hitId, string status, string? note, string recordedBy, string role, CancellationToken cancellationToken = default)
    {
        if (!Statuses.Contains(status))
        {
            throw new ArgumentException($"status '{status}' is not one of {string.Join(", ", Statuses)}", nameof(status));
        }

        if (note is { Length: > MaxNoteLength })
        {
            throw new ArgumentException($"a note is at most {MaxNoteLength} characters", nameof(note));
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

        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {database.Table("outcomes")} (hit_id, status, note, recorded_by, recorded_at_ms) VALUES (@hitId, @status, @note, @recordedBy, @at)",
            new { hitId, status, note, recordedBy, at = now.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await audit.AppendAsync(connection, transaction, new AuditEntry(now, recordedBy, role, AuditActions.Alter, $"outcome {status} on hit {hitId}"), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new Outcome(hitId, status, note, recordedBy, now);
    }
}
