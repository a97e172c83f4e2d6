using System.Data.Common;
using System.Globalization;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;
using AnprWatch.Storage.Audit;
using Dapper;

namespace AnprWatch.Storage.Markers;

public sealed record MarkerListVersion(long ListId, string ForceCode, long Version, string LoadedBy, DateTimeOffset LoadedAt, string Sha256, long MarkerCount, long Added, long Removed, long Changed, string Source, bool IsActive) : IListVersion
{
    long IListVersion.Items => MarkerCount;
}

/// <summary>Marker lists, one active version per host force, each replacement a new version written atomically.</summary>
public sealed class MarkerListStore(Database database, AuditLog audit, TimeProvider clock)
{
    private const string MarkerColumns = "marker_id, vrm, suspect_ref, risk_level, host_force, review_due, expires, operation, action, contact, marker_type";

    /// <summary>What a version stores per marker: its columns and the review date its imported file gave, where a later one was kept.</summary>
    private const string StoredColumns = MarkerColumns + ", imported_review_due";

    /// <summary>Changes whenever any force's active list changes: running workers poll it to know when to rebuild.</summary>
    public async Task<long> GetGenerationAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COALESCE(MAX(list_id), 0) FROM {database.Table("marker_lists")}", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The active markers (all forces, or one), ordered by force, plate and suspect.</summary>
    public Task<IReadOnlyList<Marker>> GetActiveMarkersAsync(string? forceCode = null, CancellationToken cancellationToken = default)
        => FindActiveMarkersAsync(forceCode: forceCode, cancellationToken: cancellationToken);

    /// <summary>
    /// Streams active markers row by row (all forces, or one): a million-marker list is never held as rows and
    /// markers at once, whether it feeds the index or a diff.
    /// </summary>
    public IAsyncEnumerable<Marker> StreamActiveMarkersAsync(string? forceCode = null, CancellationToken cancellationToken = default)
        => StreamActiveAsync(forceCode is null ? "" : " AND l.force_code = @forceCode", new { forceCode = Typed.ForceCode(forceCode) }, cancellationToken);

    /// <summary>
    /// Active markers of one force, whose review is due by <paramref name="reviewDueBy"/>, or of one plate (any
    /// combination), filtered by the store: a look-up in a million-marker deployment reads only what it returns.
    /// Ordered by force, plate and suspect.
    /// </summary>
    public async Task<IReadOnlyList<Marker>> FindActiveMarkersAsync(
        string? forceCode = null, DateOnly? reviewDueBy = null, string? vrm = null, CancellationToken cancellationToken = default)
    {
        var where = (forceCode is null ? "" : " AND l.force_code = @forceCode") + (reviewDueBy is null ? "" : " AND m.review_due <= @due") + (vrm is null ? "" : " AND m.vrm = @vrm");
        var markers = new List<Marker>();
        await foreach (var marker in StreamActiveAsync(where, new { forceCode = Typed.ForceCode(forceCode), due = reviewDueBy is { } d ? Iso(d) : null, vrm = Typed.Vrm(vrm) }, cancellationToken).ConfigureAwait(false))
        {
            markers.Add(marker);
        }

        return markers.OrderBy(m => m.HostForce.Code, StringComparer.Ordinal).ThenBy(m => m.Vrm, StringComparer.Ordinal).ThenBy(m => m.SuspectRef, StringComparer.Ordinal).ToList();
    }

    private async IAsyncEnumerable<Marker> StreamActiveAsync(string where, object parameters, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var sql = $"SELECT {Prefixed("m")} FROM {database.Table("markers")} m JOIN {database.Table("marker_lists")} l ON l.list_id = m.list_id WHERE l.is_active = 1" + where;
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var parser = reader.GetRowParser<MarkerRow>();
        var shared = new StringPool();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return parser(reader).ToMarker(shared);
        }
    }

    /// <summary>
    /// Per host force, active markers overdue for review (due before <paramref name="today"/>) and due by
    /// <paramref name="soon"/>: counted by the store, so a million-marker list is never loaded for a summary.
    /// </summary>
    public async Task<IReadOnlyList<ReviewDueCount>> ReviewDueCountsAsync(DateOnly today, DateOnly soon, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);

        // Read by hand: SQLite types a SUM by its value, so an empty result leaves Dapper nothing to map a record from.
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            "SELECT l.force_code, " +
            "SUM(CASE WHEN m.review_due < @today THEN 1 ELSE 0 END), " +
            "SUM(CASE WHEN m.review_due >= @today AND m.review_due <= @soon THEN 1 ELSE 0 END) " +
            $"FROM {database.Table("markers")} m JOIN {database.Table("marker_lists")} l ON l.list_id = m.list_id WHERE l.is_active = 1 " +
            "GROUP BY l.force_code ORDER BY l.force_code",
            new { today = Iso(today), soon = Iso(soon) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var counts = new List<ReviewDueCount>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts.Add(new ReviewDueCount(reader.GetString(0), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture)));
        }

        return counts;
    }

    /// <summary>The markers of one version of a force's list (active or not), or null when there is no such version.</summary>
    public async Task<IReadOnlyList<Marker>?> GetVersionMarkersAsync(string forceCode, long version, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var listId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT list_id FROM {database.Table("marker_lists")} WHERE force_code = @forceCode AND version = @version", new { forceCode, version }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (listId is null)
        {
            return null;
        }

        var rows = await connection.QueryAsync<MarkerRow>(new CommandDefinition(
            $"SELECT {Prefixed("m")} FROM {database.Table("markers")} m WHERE m.list_id = @listId ORDER BY m.vrm, m.suspect_ref", new { listId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var shared = new StringPool();
        return rows.Select(r => r.ToMarker(shared)).ToList();
    }

    /// <summary>
    /// The review date each marker had in the file of the import the force's active list descends from, whatever
    /// AnprWatch kept instead (a later date from a review), keyed by VRM and suspect; null when the force has no import.
    /// A marker whose active date differs from this one was reviewed here since that export. The import the active list
    /// descends from, not the newest: after <c>markers rollback</c> to an earlier import, the rolled-back import's dates
    /// are not reviews, and a re-import of its (correcting) file must apply them.
    /// </summary>
    public async Task<IReadOnlyDictionary<(string Vrm, string SuspectRef), DateOnly>?> GetImportedReviewDatesAsync(string forceCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var lists = database.Table("marker_lists");
        var code = Typed.ForceCode(forceCode);
        var rows = (await connection.QueryAsync<(long Version, string Source, long ListId, long IsActive)>(new CommandDefinition(
            $"SELECT CAST(version AS BIGINT), source, CAST(list_id AS BIGINT), CAST(is_active AS BIGINT) FROM {lists} WHERE force_code = @code", new { code }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var versions = rows.ToDictionary(v => v.Version, v => (v.Version, v.Source, v.ListId));
        var active = rows.Where(v => v.IsActive == 1).Select(v => v.Version).DefaultIfEmpty(0).Max();
        long? listId = ImportDescendedFrom(versions, active)
            ?? versions.Values.Where(v => v.Source == "import").Select(v => (long?)v.ListId).Max();
        if (listId is null)
        {
            return null;
        }

        var dates = await connection.QueryAsync<(string Vrm, string SuspectRef, string ReviewDue)>(new CommandDefinition(
            $"SELECT vrm, suspect_ref, COALESCE(imported_review_due, review_due) FROM {database.Table("markers")} WHERE list_id = @listId", new { listId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return dates.ToDictionary(r => (r.Vrm, r.SuspectRef), r => DateOnly.ParseExact(r.ReviewDue, "yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The list id of the import a version descends from: itself for an import, the version it was made from for a
    /// review (the one active then, the version before it), the version restored for a rollback; null when the chain
    /// leads elsewhere (a source not known here, a version missing).
    /// </summary>
    private static long? ImportDescendedFrom(IReadOnlyDictionary<long, (long Version, string Source, long ListId)> versions, long version)
    {
        for (var steps = 0; steps <= versions.Count && versions.TryGetValue(version, out var v); steps++)
        {
            if (v.Source == "import")
            {
                return v.ListId;
            }

            if (v.Source == "review")
            {
                version = v.Version - 1;
            }
            else if (v.Source.StartsWith("rollback v", StringComparison.Ordinal) && long.TryParse(v.Source.AsSpan("rollback v".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var target) && target < v.Version)
            {
                version = target;
            }
            else
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// The markers of each force's list as it stood just before <paramref name="before"/>: the last version loaded before
    /// then, whether or not a later one has replaced it since (a force with no version by then has none). What the
    /// evaluation report's review compliance counts at a period's end.
    /// </summary>
    public async Task<IReadOnlyList<Marker>> GetMarkersActiveBeforeAsync(DateTimeOffset before, IReadOnlyCollection<string>? forceCodes = null, CancellationToken cancellationToken = default)
    {
        var versions = (await HistoryAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(v => v.LoadedAt < before && (forceCodes is null || forceCodes.Contains(v.ForceCode)))
            .GroupBy(v => v.ForceCode, StringComparer.Ordinal)
            .Select(g => g.MaxBy(v => v.Version)!);
        var markers = new List<Marker>();
        foreach (var version in versions)
        {
            markers.AddRange(await GetVersionMarkersAsync(version.ForceCode, version.Version, cancellationToken).ConfigureAwait(false) ?? []);
        }

        return markers;
    }

    /// <summary>Every version of every force's list that contains a VRM, newest first.</summary>
    public async Task<IReadOnlyList<MarkerListVersion>> VersionsContainingAsync(string vrm, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ListRow>(new CommandDefinition(
            $"SELECT l.* FROM {database.Table("marker_lists")} l WHERE EXISTS (SELECT 1 FROM {database.Table("markers")} m WHERE m.list_id = l.list_id AND m.vrm = @vrm) ORDER BY l.list_id DESC",
            new { vrm = Typed.Vrm(vrm) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToVersion()).ToList();
    }

    public async Task<IReadOnlyList<MarkerListVersion>> HistoryAsync(string? forceCode = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var sql = $"SELECT * FROM {database.Table("marker_lists")}" + (forceCode is null ? "" : " WHERE force_code = @forceCode") + " ORDER BY force_code, version";
        var rows = await connection.QueryAsync<ListRow>(new CommandDefinition(sql, new { forceCode }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToVersion()).ToList();
    }

    /// <summary>The force's active version number, or 0 when it has none: what a diff about to be computed is against.</summary>
    public async Task<long> GetActiveVersionAsync(string forceCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COALESCE(MAX(version), 0) FROM {database.Table("marker_lists")} WHERE force_code = @code AND is_active = 1",
            new { code = Typed.ForceCode(forceCode) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes <paramref name="markers"/> the force's active list as a new version, with its audit entry, in one
    /// transaction: readers see the old list or the new one, never a mixture. With <paramref name="expectedActiveVersion"/>
    /// (the version the diff was computed against; 0 for none) a list replaced meanwhile by another import, review or
    /// rollback is not overwritten: <see cref="MarkerListChangedException"/>, nothing changed. Concurrent replacements of
    /// one force serialise: SQLite's write transaction is immediate; on SQL Server the version read takes UPDLOCK,
    /// HOLDLOCK on the force's rows under READ COMMITTED, so a second writer waits for the first to commit.
    /// </summary>
    /// <param name="imported">
    /// For an import: the file's markers, in the order of <paramref name="markers"/>, which may keep later review dates
    /// than the file's (a review recorded here). Each kept marker stores the file's date beside the kept one, so the next
    /// import knows which dates the PNC export gave (see <see cref="GetImportedReviewDatesAsync"/>).
    /// </param>
    public async Task<MarkerListVersion> ReplaceAsync(Force force, IReadOnlyList<Marker> markers, string loadedBy, string role, string sha256, MarkerListDiff diff, string source, CancellationToken cancellationToken = default, long? expectedActiveVersion = null, IReadOnlyList<Marker>? imported = null)
    {
        if (markers.Any(m => m.HostForce != force))
        {
            throw new ArgumentException("every marker must belong to the force being loaded", nameof(markers));
        }

        if (imported is not null && (imported.Count != markers.Count || imported.Where((m, i) => m.Vrm != markers[i].Vrm || m.SuspectRef != markers[i].SuspectRef).Any()))
        {
            throw new ArgumentException("the imported file's markers must be the stored markers, in the same order", nameof(imported));
        }

        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var lists = database.Table("marker_lists");
        var locking = database.Dialect.Name == "sqlserver" ? " WITH (UPDLOCK, HOLDLOCK)" : "";
        var latest = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COALESCE(MAX(version), 0) FROM {lists}{locking} WHERE force_code = @code",
            new { code = force.Code }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var active = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COALESCE(MAX(version), 0) FROM {lists} WHERE force_code = @code AND is_active = 1",
            new { code = force.Code }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (expectedActiveVersion is { } expected && active != expected)
        {
            throw new MarkerListChangedException(
                $"the marker list of {force.Code} changed while this was being prepared (version {active} is now active; " +
                $"this change was checked against version {expected}): nothing was changed. Look at the list again (a dry run shows the diff) and repeat.");
        }

        var version = latest + 1;

        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {lists} SET is_active = 0 WHERE force_code = @code AND is_active = 1", new { code = force.Code }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var listId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"INSERT INTO {lists} (force_code, version, loaded_by, loaded_at_ms, sha256, marker_count, added, removed, changed, source, is_active) " +
            $"VALUES (@code, @version, @loadedBy, @at, @sha256, @count, @added, @removed, @changed, @source, 1); {database.Dialect.LastInsertId}",
            new { code = force.Code, version, loadedBy, at = now.ToUnixTimeMilliseconds(), sha256, count = (long)markers.Count, added = (long)diff.AddedCount, removed = (long)diff.RemovedCount, changed = (long)diff.ChangedCount, source },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

        await InsertMarkersAsync(connection, transaction, listId, markers, imported, cancellationToken).ConfigureAwait(false);
        await audit.AppendAsync(connection, transaction, new AuditEntry(now, loadedBy, role, AuditActions.Collect, $"marker list {force.Code} v{version}",
            Detail: $"{source}: {markers.Count} markers, +{diff.AddedCount} -{diff.RemovedCount} ~{diff.ChangedCount}, sha256 {sha256}"), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new MarkerListVersion(listId, force.Code, version, loadedBy, now, sha256, markers.Count, diff.AddedCount, diff.RemovedCount, diff.ChangedCount, source, true);
    }

    /// <summary>The columns of <c>#markers_import</c>, the SQL Server staging table: those of <c>dbo.markers</c> but <c>list_id</c>.</summary>
    public const string SqlServerStagingTable =
        "CREATE TABLE #markers_import (marker_id VARCHAR(32) NOT NULL, vrm VARCHAR(10) NOT NULL, suspect_ref NVARCHAR(64) NOT NULL, risk_level VARCHAR(8) NOT NULL, " +
        "host_force NVARCHAR(32) NOT NULL, review_due CHAR(10) NOT NULL, expires CHAR(10) NULL, operation NVARCHAR(100) NULL, action NVARCHAR(500) NULL, " +
        "contact NVARCHAR(200) NULL, marker_type NVARCHAR(16) NOT NULL, imported_review_due CHAR(10) NULL)";

    /// <summary>
    /// A list's markers in a bounded number of round trips on SQL Server: <c>SqlBulkCopy</c> streams them into a session
    /// temporary table (no grant needed: the session owns it), then one set-based <c>INSERT … SELECT</c> copies them into
    /// <c>dbo.markers</c> (the login's INSERT grant) and drops the staging table: three round trips for any list, not one
    /// per marker. SQLite keeps one prepared command reused for every row, in-process, in the same transaction: a
    /// million-marker list inserts in seconds.
    /// </summary>
    private async Task InsertMarkersAsync(DbConnection connection, DbTransaction transaction, long listId, IReadOnlyList<Marker> markers, IReadOnlyList<Marker>? imported, CancellationToken cancellationToken)
    {
        var rows = markers.Select((m, i) => Values(m, imported?[i]));
        if (database.Dialect.Name == "sqlserver")
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "IF OBJECT_ID(N'tempdb..#markers_import') IS NOT NULL DROP TABLE #markers_import; " + SqlServerStagingTable,
                transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await database.Dialect.BulkCopyAsync(connection, transaction, "#markers_import", StoredColumns.Split(", "), rows, cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO dbo.markers (list_id, {StoredColumns}) SELECT @listId, {StoredColumns} FROM #markers_import; DROP TABLE #markers_import;",
                new { listId }, transaction, commandTimeout: 0, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var names = new[] { "list_id" }.Concat(StoredColumns.Split(", ")).ToArray();
        command.CommandText = $"INSERT INTO {database.Table("markers")} (list_id, {StoredColumns}) VALUES ({string.Join(", ", names.Select(n => "@" + n))})";
        var parameters = names.Select(n =>
        {
            var p = command.CreateParameter();
            p.ParameterName = "@" + n;
            command.Parameters.Add(p);
            return p;
        }).ToArray();
        parameters[0].Value = listId;
        foreach (var values in rows)
        {
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i + 1].Value = values[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A marker's values in <see cref="StoredColumns"/> order; the file's review date only where it differs from the kept one.</summary>
    private static object?[] Values(Marker m, Marker? imported) =>
    [
        Marker.ComputeId(m.HostForce.Code, m.Vrm, m.SuspectRef), // not m.MarkerId: that caches a string per marker for the list's lifetime
        m.Vrm, m.SuspectRef, m.Risk.Label(), m.HostForce.Code, Iso(m.ReviewDue), m.Expires is { } e ? Iso(e) : null, m.Operation, m.Action, m.Contact, m.MarkerType,
        imported is { } file && file.ReviewDue != m.ReviewDue ? Iso(file.ReviewDue) : null,
    ];

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Prefixed(string alias) => string.Join(", ", MarkerColumns.Split(", ").Select(c => $"{alias}.{c}"));

    private sealed class MarkerRow
    {
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string MarkerId { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Vrm { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string SuspectRef { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string RiskLevel { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string HostForce { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string ReviewDue { get; set; } = "";
        public string? Expires { get; set; }
        public string? Operation { get; set; }
        public string? Action { get; set; }
        public string? Contact { get; set; }
        public string MarkerType { get; set; } = "ACT";

        public Marker ToMarker(StringPool shared) => new(
            Vrm, SuspectRef, RiskLevels.Parse(RiskLevel), ForceRegistry.Get(HostForce),
            DateOnly.ParseExact(ReviewDue, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            Expires is null ? null : DateOnly.ParseExact(Expires, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            shared.Get(Operation), shared.Get(Action), shared.Get(Contact), shared.Get(MarkerType)!);
    }

    /// <summary>
    /// Operation, action, contact and marker type repeat across a list (one operation, a few standard actions): one
    /// instance each instead of a million copies. Scoped to one load, unlike string.Intern.
    /// </summary>
    private sealed class StringPool
    {
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);

        public string? Get(string? value)
        {
            if (value is null)
            {
                return null;
            }

            if (_pool.TryGetValue(value, out var existing))
            {
                return existing;
            }

            if (_pool.Count < 100_000)
            {
                _pool.Add(value, value);
            }

            return value;
        }
    }

    private sealed class ListRow
    {
        public long ListId { get; set; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string ForceCode { get; set; } = "";
        public long Version { get; set; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string LoadedBy { get; set; } = "";
        public long LoadedAtMs { get; set; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Sha256 { get; set; } = "";
        public long MarkerCount { get; set; }
        public long Added { get; set; }
        public long Removed { get; set; }
        public long Changed { get; set; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Source { get; set; } = "";
        public bool IsActive { get; set; }

        public MarkerListVersion ToVersion() => new(ListId, ForceCode, Version, LoadedBy, DateTimeOffset.FromUnixTimeMilliseconds(LoadedAtMs), Sha256, MarkerCount, Added, Removed, Changed, Source, IsActive);
    }
}

/// <summary>One host force's review-due figures.</summary>
public sealed record ReviewDueCount(string ForceCode, long Overdue, long DueSoon);

/// <summary>Another replacement of the same force's list committed first: nothing was changed, the caller re-checks.</summary>
public sealed class MarkerListChangedException(string message) : ListChangedException(message);
