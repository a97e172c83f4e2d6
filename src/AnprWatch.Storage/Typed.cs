using Dapper;

namespace AnprWatch.Storage;

/// <summary>
/// Parameters typed to the columns they are compared with. Dapper sends a plain string as <c>nvarchar(4000)</c>;
/// against a <c>VARCHAR</c>/<c>CHAR</c> column under a SQL collation SQL Server then converts the column, not the
/// parameter, and an index seek becomes a scan. These send <c>varchar(n)</c>/<c>char(n)</c> (and <c>nvarchar(n)</c>
/// for Unicode columns, so every call shares one plan). The size is never below the value's length: SqlClient would
/// otherwise truncate a longer value and compare a different string. SQLite ignores the types.
/// </summary>
public static class Typed
{
    /// <summary><c>hits.hit_id</c>, <c>outcomes.hit_id</c>: VARCHAR(32).</summary>
    public static DbString HitId(string? value) => Ansi(value, 32);

    /// <summary><c>hits.marker_id</c>: VARCHAR(32).</summary>
    public static DbString MarkerId(string? value) => Ansi(value, 32);

    /// <summary><c>markers.vrm</c>, <c>hits.vrm</c>, <c>hits.marker_vrm</c>: VARCHAR(10).</summary>
    public static DbString Vrm(string? value) => Ansi(value, 10);

    /// <summary><c>api_keys.key_hash</c>: CHAR(64).</summary>
    public static DbString KeyHash(string? value) => new() { Value = value, IsAnsi = true, IsFixedLength = true, Length = Math.Max(64, value?.Length ?? 0) };

    /// <summary>Force codes (<c>camera_force</c>, <c>host_force</c>, <c>force_code</c>): NVARCHAR(32).</summary>
    public static DbString ForceCode(string? value) => new() { Value = value, IsAnsi = false, Length = Math.Max(32, value?.Length ?? 0) };

    /// <summary><c>outcome_reasons.reason</c>: VARCHAR(32).</summary>
    public static DbString Reason(string? value) => Ansi(value, 32);

    private static DbString Ansi(string? value, int length) => new() { Value = value, IsAnsi = true, Length = Math.Max(length, value?.Length ?? 0) };
}
