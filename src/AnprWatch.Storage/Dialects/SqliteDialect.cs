using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace AnprWatch.Storage.Dialects;

public sealed class SqliteDialect : SqlDialect
{
    private readonly string _connectionString;

    public SqliteDialect(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var (path, memory) = FileOf(builder.DataSource);
        IsFile = builder.Mode != SqliteOpenMode.Memory && !memory && !string.IsNullOrEmpty(path) && path != ":memory:";

        // A locked or unavailable file surfaces as an error after 10 s (not the driver's 30 s of silent retrying),
        // so the worker's own retry and circuit breaker see the outage and log it.
        if (!connectionString.Contains("timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.DefaultTimeout = 10;
        }

        // Only the migration runner may create the file (`anprwatch db migrate`, or Storage:CreateIfMissing): every
        // other connection opens an existing file or fails, so a mistyped path or a vanished volume is an error,
        // never a new empty store that matches nothing.
        if (IsFile && builder.Mode != SqliteOpenMode.ReadOnly)
        {
            builder.Mode = SqliteOpenMode.ReadWriteCreate;
            _createConnectionString = builder.ToString();
            builder.Mode = SqliteOpenMode.ReadWrite;
        }

        _connectionString = builder.ToString();
        _createConnectionString ??= _connectionString;
        DataSource = path;
    }

    /// <summary>
    /// The file a data source names. SQLite (and Microsoft.Data.Sqlite) accept a URI, <c>file:/var/lib/a.db?cache=shared</c>:
    /// every check on the file itself (does it exist, is a write-ahead log left beside it, where the state file goes)
    /// must look at the path inside it, not at a file literally named "file:/var/lib/a.db?cache=shared", which never
    /// exists (so every command refused a healthy store, migrate made a "file:" directory and nothing saw a leftover log).
    /// </summary>
    private static (string Path, bool Memory) FileOf(string dataSource)
    {
        if (!dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return (dataSource, false);
        }

        var rest = dataSource[5..];
        var end = rest.IndexOfAny(['?', '#']);
        var query = end < 0 ? "" : rest[end..];
        var path = end < 0 ? rest : rest[..end];
        if (path.StartsWith("//", StringComparison.Ordinal))
        {
            // file://localhost/var/lib/a.db or file:///var/lib/a.db: the authority is dropped.
            var slash = path.IndexOf('/', 2);
            path = slash < 0 ? "" : path[slash..];
        }

        path = Uri.UnescapeDataString(path);
        var memory = path == ":memory:" || query.Split('?', '&', '#').Any(p => p.Equals("mode=memory", StringComparison.OrdinalIgnoreCase));
        return (path, memory);
    }

    private readonly string _createConnectionString;

    /// <summary>The store is a file (not an in-memory database).</summary>
    public bool IsFile { get; }

    public override DbConnection CreateMigrationConnection()
    {
        if (IsFile)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(DataSource));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        return new SqliteConnection(_createConnectionString);
    }

    public override string? MissingStoreReason()
        => LeftoverFilesReason() ?? (IsFile && !File.Exists(DataSource)
            ? $"the SQLite store {Path.GetFullPath(DataSource)} does not exist; create it with `anprwatch db migrate` (Storage:CreateIfMissing=true does so for a demo)"
            : null);

    /// <summary>
    /// A <c>-wal</c> or <c>-shm</c> file with no database beside it: the database was deleted or moved without them.
    /// Opening a new, empty database of that name makes SQLite delete the log (sqlite3 pager: a WAL beside a database of
    /// no pages is discarded, not replayed), losing the commits it holds that the moved database never received,
    /// so nothing opens or creates the store until an operator deals with the leftover.
    /// </summary>
    public override string? LeftoverFilesReason()
    {
        if (!IsFile || File.Exists(DataSource))
        {
            return null;
        }

        var path = Path.GetFullPath(DataSource);
        var leftover = new[] { path + "-wal", path + "-shm" }.FirstOrDefault(File.Exists);
        return leftover is null
            ? null
            : $"the SQLite store {path} does not exist, but {leftover} (part of a database that was deleted or moved without it) does: " +
              "SQLite would delete it on creating a new store, losing the writes it holds that never reached the database. Put it back beside the database it belongs to, or delete it if that database is gone for good, then try again";
    }

    public override string Describe() => IsFile ? $"the SQLite store {Path.GetFullPath(DataSource)}" : "the in-memory SQLite store";

    public override void ClearPools() => SqliteConnection.ClearAllPools();

    // SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067).
    public override bool IsUniqueViolation(System.Data.Common.DbException exception) => exception is SqliteException { SqliteExtendedErrorCode: 1555 or 2067 };

    /// <summary>The store's file as a path (the path inside a <c>file:</c> URI), for every check on the file itself.</summary>
    public string DataSource { get; }

    public override string Name => "sqlite";

    public override DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    // A pooled connection keeps its file open even after the volume has gone; the probe opens the file afresh and
    // never creates it, so a vanished or replaced store reads as unreachable.
    public override DbConnection CreateProbeConnection()
        => new SqliteConnection(new SqliteConnectionStringBuilder(_connectionString) { Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ToString());

    /// <summary>SQL Server's limit on parameters in one statement, imposed on SQLite too (its own default is 32,766).</summary>
    public const int MaxParameters = 2100;

    public override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Every statement that runs here must also run on SQL Server: a statement over 2,100 parameters fails in SQLite
        // first ("too many SQL variables"), in every test, instead of in a force's production store.
        SQLitePCL.raw.sqlite3_limit(((SqliteConnection)connection).Handle, SQLitePCL.raw.SQLITE_LIMIT_VARIABLE_NUMBER, MaxParameters);

        await using var command = connection.CreateCommand();

        // synchronous=FULL because offsets are committed on the strength of these writes, so a power cut must not
        // lose a hit the broker no longer holds for us. These are per-connection and cost no I/O; journal_mode is
        // persistent in the file and set once per process (it takes a lock, and pooled connections open often).
        command.CommandText = _walSet
            ? "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _walSet = true;
    }

    private volatile bool _walSet;

    public override IEnumerable<string> SplitScript(string script) => [script];

    public override string MigrationsTableDdl =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)";

    public override string InsertHitsFromJson(IReadOnlyList<(string Column, string Property, string SqlServerType)> columns)
        => $"INSERT OR IGNORE INTO hits ({string.Join(", ", columns.Select(c => c.Column))}) " +
           $"SELECT {string.Join(", ", columns.Select(c => $"json_extract(value, '$.{c.Property}')"))} FROM json_each(@rows)";

    public override string LastInsertId => "SELECT last_insert_rowid()";

    public override string TableExistsQuery => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @table";

    public override string Top1(string selectList, string rest) => $"SELECT {selectList} {rest} LIMIT 1";

    public override string PrefixTableName(string table) => table;
}
