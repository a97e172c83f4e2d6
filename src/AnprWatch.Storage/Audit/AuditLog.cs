using System.Data.Common;
using Dapper;

namespace AnprWatch.Storage.Audit;

/// <summary>DPA 2018 s.62 logging actions.</summary>
public static class AuditActions
{
    public const string Collect = "collect";
    public const string Alter = "alter";
    public const string Consult = "consult";
    public const string Disclose = "disclose";
    public const string Erase = "erase";
}

public sealed record AuditEntry(DateTimeOffset At, string Actor, string Role, string Action, string Subject, string? Justification = null, string? Detail = null);

/// <summary>The append-only audit log: no method here updates or deletes, and the schema refuses both.</summary>
public sealed class AuditLog(Database database)
{
    private const string Columns = "at_ms, actor, role, action, subject, justification, detail";

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await AppendAsync(connection, null, entry, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends inside the caller's transaction, so an audited change and its entry commit together.</summary>
    public async Task AppendAsync(DbConnection connection, DbTransaction? transaction, AuditEntry entry, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {database.Table("audit_log")} ({Columns}) VALUES (@At, @Actor, @Role, @Action, @Subject, @Justification, @Detail)",
            new { At = entry.At.ToUnixTimeMilliseconds(), entry.Actor, entry.Role, entry.Action, entry.Subject, entry.Justification, entry.Detail },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset from, DateTimeOffset toExclusive, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(
            $"SELECT {Columns} FROM {database.Table("audit_log")} WHERE at_ms >= @from AND at_ms < @to ORDER BY audit_id",
            new { from = from.ToUnixTimeMilliseconds(), to = toExclusive.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new AuditEntry(DateTimeOffset.FromUnixTimeMilliseconds(r.AtMs), r.Actor, r.Role, r.Action, r.Subject, r.Justification, r.Detail)).ToList();
    }

    private sealed class AuditRow
    {
        public long AtMs { get; set; }
        public string Actor { get; set; } = "";
        public string Role { get; set; } = "";
        public string Action { get; set; } = "";
        public string Subject { get; set; } = "";
        public string? Justification { get; set; }
        public string? Detail { get; set; }
    }
}
