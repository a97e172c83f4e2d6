using System.Globalization;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Locations;
using AnprWatch.Core.Markers;
using AnprWatch.Storage.Audit;
using Dapper;

namespace AnprWatch.Storage.Locations;

public sealed record LocationListVersion(long ListId, string ForceCode, long Version, string LoadedBy, DateTimeOffset LoadedAt, string Sha256, long LocationCount, long Added, long Removed, long Changed, string Source, bool IsActive) : IListVersion
{
    long IListVersion.Items => LocationCount;
}

/// <summary>
/// Flagged CSE location lists (DESIGN §8), one active version per force, each replacement a new version written
/// atomically with its audit entry: the same rules as marker lists, for lists of tens to hundreds of places.
/// </summary>
public sealed class LocationListStore(Database database, AuditLog audit, TimeProvider clock)
{
    private const string Columns = "location_ref, name, lat, lon, radius_m, risk_level, force_code, review_due, expires, notes";

    /// <summary>Changes whenever any force's active location list changes: serve polls it to know when to rebuild.</summary>
    public async Task<long> GetGenerationAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COALESCE(MAX(list_id), 0) FROM {database.Table("location_lists")}", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The active locations (every force, or one), ordered by force and reference.</summary>
    public async Task<IReadOnlyList<Location>> GetActiveAsync(string? forceCode = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var sql = $"SELECT {string.Join(", ", Columns.Split(", ").Select(c => "x." + c))} FROM {database.Table("locations")} x JOIN {database.Table("location_lists")} l ON l.list_id = x.list_id WHERE l.is_active = 1"
            + (forceCode is null ? "" : " AND l.force_code = @forceCode");
        var rows = await connection.QueryAsync<LocationRow>(new CommandDefinition(sql, new { forceCode = Typed.ForceCode(forceCode) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToLocation()).OrderBy(l => l.Force.Code, StringComparer.Ordinal).ThenBy(l => l.Ref, StringComparer.Ordinal).ToList();
    }

    /// <summary>The locations of one version of a force's list (active or not), or null when there is no such version.</summary>
    public async Task<IReadOnlyList<Location>?> GetVersionAsync(string forceCode, long version, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var listId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT list_id FROM {database.Table("location_lists")} WHERE force_code = @forceCode AND version = @version", new { forceCode = Typed.ForceCode(forceCode), version }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (listId is null)
        {
            return null;
        }

        var rows = await connection.QueryAsync<LocationRow>(new CommandDefinition(
            $"SELECT {Columns} FROM {database.Table("locations")} WHERE list_id = @listId ORDER BY location_ref", new { listId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToLocation()).ToList();
    }

    public async Task<IReadOnlyList<LocationListVersion>> HistoryAsync(string? forceCode = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var sql = $"SELECT * FROM {database.Table("location_lists")}" + (forceCode is null ? "" : " WHERE force_code = @forceCode") + " ORDER BY force_code, version";
        var rows = await connection.QueryAsync<ListRow>(new CommandDefinition(sql, new { forceCode = Typed.ForceCode(forceCode) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToVersion()).ToList();
    }

    /// <summary>
    /// Makes <paramref name="locations"/> the force's active list as a new version, with its audit entry, in one
    /// transaction: a reader (and serve's reload) sees the old list or the new one, never a mixture.
    /// </summary>
    /// <summary>The force's active version number, or 0 when it has none: what a diff about to be computed is against.</summary>
    public async Task<long> GetActiveVersionAsync(string forceCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COALESCE(MAX(version), 0) FROM {database.Table("location_lists")} WHERE force_code = @code AND is_active = 1",
            new { code = Typed.ForceCode(forceCode) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <remarks>
    /// As for marker lists: with <paramref name="expectedActiveVersion"/> (the version the diff was computed against; 0
    /// for none) a list replaced meanwhile is not overwritten (<see cref="LocationListChangedException"/>, nothing
    /// changed); on SQL Server the version read takes UPDLOCK, HOLDLOCK so concurrent replacements of one force serialise.
    /// </remarks>
    public async Task<LocationListVersion> ReplaceAsync(Force force, IReadOnlyList<Location> locations, string loadedBy, string role, string sha256, LocationListDiff diff, string source, CancellationToken cancellationToken = default, long? expectedActiveVersion = null)
    {
        if (locations.Any(l => l.Force != force))
        {
            throw new ArgumentException("every location must belong to the force being loaded", nameof(locations));
        }

        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var lists = database.Table("location_lists");
        // As for marker lists: on SQL Server the version read takes UPDLOCK, HOLDLOCK on the force's rows, so a second
        // concurrent import of the same force waits for the first to commit instead of colliding on MAX(version) + 1.
        var locking = database.Dialect.Name == "sqlserver" ? " WITH (UPDLOCK, HOLDLOCK)" : "";
        var version = 1 + await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COALESCE(MAX(version), 0) FROM {lists}{locking} WHERE force_code = @code", new { code = Typed.ForceCode(force.Code) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (expectedActiveVersion is { } expected)
        {
            var active = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT COALESCE(MAX(version), 0) FROM {lists} WHERE force_code = @code AND is_active = 1", new { code = Typed.ForceCode(force.Code) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (active != expected)
            {
                throw new LocationListChangedException(
                    $"the location list of {force.Code} changed while this was being prepared (version {active} is now active; " +
                    $"this change was checked against version {expected}): nothing was changed. Look at the list again (a dry run shows the diff) and repeat.");
            }
        }
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {lists} SET is_active = 0 WHERE force_code = @code AND is_active = 1", new { code = Typed.ForceCode(force.Code) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var listId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"INSERT INTO {lists} (force_code, version, loaded_by, loaded_at_ms, sha256, location_count, added, removed, changed, source, is_active) " +
            $"VALUES (@code, @version, @loadedBy, @at, @sha256, @count, @added, @removed, @changed, @source, 1); {database.Dialect.LastInsertId}",
            new { code = force.Code, version, loadedBy, at = now.ToUnixTimeMilliseconds(), sha256, count = (long)locations.Count, added = (long)diff.Added.Count, removed = (long)diff.Removed.Count, changed = (long)diff.Changed.Count, source },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

        // The whole list in one statement (one JSON parameter), not one round trip per location.
        if (locations.Count > 0)
        {
            var rows = System.Text.Json.JsonSerializer.Serialize(locations.Select(l => new
            {
                l.Ref, l.Name, l.Lat, l.Lon, l.RadiusM, Risk = l.Risk.Label(), Force = l.Force.Code, ReviewDue = Iso(l.ReviewDue), Expires = l.Expires is { } e ? Iso(e) : null, l.Notes,
            }));
            var insert = database.Dialect.Name == "sqlserver"
                ? $"INSERT INTO dbo.locations (list_id, {Columns}) SELECT @listId, {string.Join(", ", Columns.Split(", ").Select(c => "j." + c))} FROM OPENJSON(@rows) " +
                  "WITH (location_ref NVARCHAR(64) '$.Ref', name NVARCHAR(200) '$.Name', lat FLOAT '$.Lat', lon FLOAT '$.Lon', radius_m INT '$.RadiusM', risk_level NVARCHAR(16) '$.Risk', " +
                  "force_code NVARCHAR(32) '$.Force', review_due CHAR(10) '$.ReviewDue', expires CHAR(10) '$.Expires', notes NVARCHAR(1000) '$.Notes') AS j"
                : $"INSERT INTO locations (list_id, {Columns}) SELECT @listId, json_extract(value, '$.Ref'), json_extract(value, '$.Name'), json_extract(value, '$.Lat'), " +
                  "json_extract(value, '$.Lon'), json_extract(value, '$.RadiusM'), json_extract(value, '$.Risk'), json_extract(value, '$.Force'), json_extract(value, '$.ReviewDue'), " +
                  "json_extract(value, '$.Expires'), json_extract(value, '$.Notes') FROM json_each(@rows)";
            await connection.ExecuteAsync(new CommandDefinition(insert,
                new { listId, rows = new DbString { Value = rows, IsAnsi = false, Length = -1 } }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await audit.AppendAsync(connection, transaction, new AuditEntry(now, loadedBy, role, AuditActions.Collect, $"location list {force.Code} v{version}",
            Detail: $"{source}: {locations.Count} locations, +{diff.Added.Count} -{diff.Removed.Count} ~{diff.Changed.Count}, sha256 {sha256}"), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new LocationListVersion(listId, force.Code, version, loadedBy, now, sha256, locations.Count, diff.Added.Count, diff.Removed.Count, diff.Changed.Count, source, true);
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed class LocationRow
    {
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string LocationRef { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Name { get; set; } = "";
        public double Lat { get; set; }
        public double Lon { get; set; }
        public long RadiusM { get; set; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string RiskLevel { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string ForceCode { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string ReviewDue { get; set; } = "";
        public string? Expires { get; set; }
        public string? Notes { get; set; }

        public Location ToLocation() => new(
            LocationRef, Name, Lat, Lon, (int)RadiusM, RiskLevels.Parse(RiskLevel), ForceRegistry.Get(ForceCode),
            DateOnly.ParseExact(ReviewDue, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            Expires is null ? null : DateOnly.ParseExact(Expires, "yyyy-MM-dd", CultureInfo.InvariantCulture), Notes);
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
        public long LocationCount { get; set; }
        public long Added { get; set; }
        public long Removed { get; set; }
        public long Changed { get; set; }
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Source { get; set; } = "";
        public bool IsActive { get; set; }

        public LocationListVersion ToVersion() => new(ListId, ForceCode, Version, LoadedBy, DateTimeOffset.FromUnixTimeMilliseconds(LoadedAtMs), Sha256, LocationCount, Added, Removed, Changed, Source, IsActive);
    }
}

/// <summary>A location list replacement checked against a version that is no longer active: nothing changed.</summary>
public sealed class LocationListChangedException(string message) : ListChangedException(message);
