using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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

    /// <summary>Not a s.62 processing action: a refused authentication or authorisation (the key itself is never recorded).</summary>
    public const string Refused = "refused";
}

public sealed record AuditEntry(DateTimeOffset At, string Actor, string Role, string Action, string Subject, string? Justification = null, string? Detail = null);

/// <summary>The outcome of <see cref="AuditLog.VerifyAsync"/>: whole, or the first entry that breaks the chain and why.</summary>
public sealed record AuditVerification(bool Whole, long Entries, long Unchained, string? HeadHash, long? FirstBadId, string? Problem)
{
    /// <summary>The id of the entry at the position asked for (1 = the oldest), null when the log has fewer entries.</summary>
    public long? IdAtPosition { get; init; }

    /// <summary>The stored hash of the entry at the position asked for, null when there is none (or it is unchained).</summary>
    public string? HashAtPosition { get; init; }

    /// <summary>Where the hash asked for is in the chain (1 = the oldest), null when no entry carries it.</summary>
    public long? PositionOfHash { get; init; }
}

/// <summary>
/// The append-only audit log: no method here updates or deletes, and the schema refuses both. It is also
/// tamper-evident: each entry stores <c>entry_hash</c> = SHA-256 over its canonical fields and the previous entry's
/// hash (<c>prev_hash</c>), so a changed, removed or inserted entry breaks the chain at that point.
/// </summary>
public sealed class AuditLog(Database database)
{
    private const string Columns = "at_ms, actor, role, action, subject, justification, detail";

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await AppendAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends inside the caller's transaction, so an audited change and its entry commit together. The previous hash
    /// is read under the transaction's write lock (SQLite: BEGIN IMMEDIATE; SQL Server: an exclusive table lock held to
    /// commit), so concurrent appenders, on any instance, chain one after another.
    /// </summary>
    public async Task AppendAsync(DbConnection connection, DbTransaction? transaction, AuditEntry entry, CancellationToken cancellationToken)
    {
        var table = database.Table("audit_log");
        var hint = database.Dialect.Name == "sqlserver" ? " WITH (TABLOCKX, HOLDLOCK)" : "";
        var previous = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            database.Dialect.Top1("entry_hash", $"FROM {table}{hint} ORDER BY audit_id DESC"), transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var at = entry.At.ToUnixTimeMilliseconds();
        var hash = Hash(previous, at, entry.Actor, entry.Role, entry.Action, entry.Subject, entry.Justification, entry.Detail);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {table} ({Columns}, prev_hash, entry_hash) VALUES (@At, @Actor, @Role, @Action, @Subject, @Justification, @Detail, @Previous, @Hash)",
            new { At = at, entry.Actor, entry.Role, entry.Action, entry.Subject, entry.Justification, entry.Detail, Previous = previous, Hash = hash },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// SHA-256 (lower-case hex) over the previous entry's hash and this entry's fields, each written as its length and
    /// its text (or <c>-</c> for null) so no two different entries share an encoding.
    /// </summary>
    public static string Hash(string? previous, long atMs, string actor, string role, string action, string subject, string? justification, string? detail)
    {
        var canonical = new StringBuilder("anprwatch-audit-v1");
        foreach (var field in new[] { previous, atMs.ToString(CultureInfo.InvariantCulture), actor, role, action, subject, justification, detail })
        {
            canonical.Append('|');
            canonical.Append(field is null ? "-" : field.Length.ToString(CultureInfo.InvariantCulture) + ":" + field);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    /// <summary>
    /// Walks the whole log in order and recomputes the chain. Entries written before the chain existed (no hash, all
    /// before the first hashed entry) are counted as unchained; after that, every entry must carry the hash of its own
    /// fields and the hash of the entry before it. With <paramref name="position"/>, the result also carries the id and
    /// hash of the entry at that position (1 = the oldest, unchained entries counted), read in the same pass, so a head
    /// recorded elsewhere can be checked against the very rows that were verified.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(long? position = null, string? findHash = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            $"SELECT audit_id, {Columns}, prev_hash, entry_hash FROM {database.Table("audit_log")} ORDER BY audit_id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        long entries = 0, unchained = 0;
        long? previousId = null;
        string? previousHash = null;
        var chained = false;
        long? idAtPosition = null;
        string? hashAtPosition = null;
        long? positionOfHash = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
            // Fields are hashed exactly as appended: trimming them here made an entry whose actor, subject or note ends in
            // a space (`--user "bob "`) read as changed. Only the hashes are trimmed (fixed-width CHAR(64) on SQL Server).
            string? Text(int i) => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
            var atMs = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            var (storedPrevious, storedHash) = (Text(8)?.TrimEnd(), Text(9)?.TrimEnd());
            entries++;
            if (entries == position)
            {
                (idAtPosition, hashAtPosition) = (id, storedHash);
            }

            if (findHash is not null && positionOfHash is null && string.Equals(storedHash, findHash, StringComparison.OrdinalIgnoreCase))
            {
                positionOfHash = entries;
            }

            AuditVerification Broken(string problem) => new(false, entries, unchained, previousHash, id, problem);

            if (storedHash is null)
            {
                if (chained)
                {
                    return Broken($"entry {id} has no hash: it was inserted or replaced outside the application");
                }

                unchained++;
                previousId = id;
                continue;
            }

            var expected = Hash(storedPrevious, atMs, Text(2) ?? "", Text(3) ?? "", Text(4) ?? "", Text(5) ?? "", Text(6), Text(7));
            if (!string.Equals(expected, storedHash, StringComparison.Ordinal))
            {
                return Broken($"entry {id} was changed: its fields no longer match its hash");
            }

            if (chained ? !string.Equals(storedPrevious, previousHash, StringComparison.Ordinal) : storedPrevious is not null)
            {
                var gap = previousId is { } before && id > before + 1;
                return Broken(gap
                    ? $"entry {previousId + 1}{(id - previousId > 2 ? $"..{id - 1}" : "")} was removed: entry {id} does not follow entry {previousId}"
                    : previousId is null
                        ? $"entry {id} does not start the chain: the entries before it were removed"
                        : $"entry {id} was inserted out of order or replaced: it does not follow entry {previousId}");
            }

            chained = true;
            previousHash = storedHash;
            previousId = id;
        }

        return new AuditVerification(true, entries, unchained, previousHash, null, null) { IdAtPosition = idAtPosition, HashAtPosition = hashAtPosition, PositionOfHash = positionOfHash };
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
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Actor { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Role { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Action { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Subject { get; set; } = "";
        public string? Justification { get; set; }
        public string? Detail { get; set; }
    }
}
