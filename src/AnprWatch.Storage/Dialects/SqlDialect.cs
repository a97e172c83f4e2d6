using System.Data.Common;

namespace AnprWatch.Storage.Dialects;

/// <summary>What differs between SQLite and SQL Server; every query above this layer is shared.</summary>
public abstract class SqlDialect
{
    public abstract string Name { get; }

    public abstract DbConnection CreateConnection();

    /// <summary>A connection for the readiness probe: one that really reaches the store, not a pooled handle.</summary>
    public virtual DbConnection CreateProbeConnection() => CreateConnection();

    /// <summary>The store as an operator would name it in a message (never with a password).</summary>
    public abstract string Describe();

    /// <summary>A connection for the migration runner, the only code allowed to create the store.</summary>
    public virtual DbConnection CreateMigrationConnection() => CreateConnection();

    /// <summary>Why the configured store plainly does not exist (a SQLite file that is not there), or null.</summary>
    public virtual string? MissingStoreReason() => null;

    /// <summary>
    /// Why the store must not be opened or created at all (a SQLite write-ahead log left without its database), or null.
    /// </summary>
    public virtual string? LeftoverFilesReason() => null;

    /// <summary>Drops pooled connections, which may still hold a store that has since vanished or been replaced.</summary>
    public abstract void ClearPools();

    /// <summary>A primary key or unique index refused the row (another instance got there first).</summary>
    public virtual bool IsUniqueViolation(System.Data.Common.DbException exception) => false;

    /// <summary>Per-connection settings (pragmas) applied after opening.</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Migration batches for one embedded script.</summary>
    public abstract IEnumerable<string> SplitScript(string script);

    public abstract string MigrationsTableDdl { get; }

    /// <summary>
    /// One statement inserting every hit of a JSON array (parameter <c>@rows</c>) unless its (read_id, marker_id) is
    /// already stored: a batch's hits cost one round trip per chunk, not one per hit.
    /// </summary>
    public abstract string InsertHitsFromJson(IReadOnlyList<(string Column, string Property, string SqlServerType)> columns);

    /// <summary>
    /// Streams <paramref name="rows"/> (values in <paramref name="columns"/> order) into <paramref name="table"/> in one bulk
    /// operation inside <paramref name="transaction"/>: SQL Server's <c>SqlBulkCopy</c>. SQLite has no such thing (and
    /// needs none: its prepared statements run in-process), so callers use it only on SQL Server.
    /// </summary>
    public virtual Task BulkCopyAsync(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
        => throw new NotSupportedException($"{Name} has no bulk copy");

    /// <summary>"SELECT ... " returning the identity of the row just inserted.</summary>
    public abstract string LastInsertId { get; }

    /// <summary>A count (0 or 1) of the application's tables named <c>@table</c>.</summary>
    public abstract string TableExistsQuery { get; }

    /// <summary>Wraps a query so it returns at most one row.</summary>
    public abstract string Top1(string selectList, string rest);

    public abstract string PrefixTableName(string table);

    public static SqlDialect For(StorageOptions options) => options.Provider.Trim().ToLowerInvariant() switch
    {
        "sqlite" => new SqliteDialect(options.ConnectionString),
        "sqlserver" => new SqlServerDialect(options.ConnectionString),
        _ => throw new ArgumentException($"Storage:Provider '{options.Provider}' is not supported (use sqlite or sqlserver)"),
    };
}
