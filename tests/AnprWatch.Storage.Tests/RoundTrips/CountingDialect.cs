using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using AnprWatch.Storage.Dialects;

namespace AnprWatch.Storage.Tests.RoundTrips;

/// <summary>
/// A real dialect (SQLite, or SQL Server when ANPRWATCH_TEST_SQLSERVER is set) whose connections count round trips.
/// <para>
/// What counts as one round trip, on either dialect: every command the stores execute (a statement or a batch of
/// them sent as one command text, answered by the server before the next one goes out), every bulk copy
/// (<see cref="SqlDialect.BulkCopyAsync"/>, one streamed request) and every transaction begin, commit and rollback
/// (SqlClient sends each as a transaction-manager request). Not counted: opening a connection, because a pooled
/// SqlClient connection is reset with its first command rather than on a trip of its own, and the dialect's
/// per-connection settings (<see cref="SqlDialect.PrepareAsync"/>: SQLite's PRAGMAs; SQL Server has none). On SQLite
/// nothing leaves the process, so the count is of the same calls a server would have had to answer.
/// </para>
/// </summary>
public sealed class CountingDialect(SqlDialect inner) : SqlDialect
{
    private int _roundTrips;
    private readonly List<string> _log = [];

    public int RoundTrips => Volatile.Read(ref _roundTrips);

    /// <summary>What was counted, in order (statements abbreviated).</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    internal void Count(string what)
    {
        Interlocked.Increment(ref _roundTrips);
        lock (_log)
        {
            _log.Add(what.Length <= 160 ? what : what[..160] + " …");
        }
    }

    public override string Name => inner.Name;

    public override DbConnection CreateConnection() => new CountingConnection(inner.CreateConnection(), this);

    public override DbConnection CreateProbeConnection() => inner.CreateProbeConnection();

    public override DbConnection CreateMigrationConnection() => inner.CreateMigrationConnection();

    public override string Describe() => inner.Describe();

    public override string? MissingStoreReason() => inner.MissingStoreReason();

    public override void ClearPools() => inner.ClearPools();

    public override bool IsUniqueViolation(DbException exception) => inner.IsUniqueViolation(exception);

    public override Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
        => inner.PrepareAsync(Unwrap(connection), cancellationToken);

    public override async Task BulkCopyAsync(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        Count($"bulk copy into {table}");
        await inner.BulkCopyAsync(Unwrap(connection), ((CountingConnection.CountingTransaction)transaction).Inner, table, columns, rows, cancellationToken).ConfigureAwait(false);
    }

    public override IEnumerable<string> SplitScript(string script) => inner.SplitScript(script);

    public override string MigrationsTableDdl => inner.MigrationsTableDdl;

    public override string InsertHitsFromJson(IReadOnlyList<(string Column, string Property, string SqlServerType)> columns) => inner.InsertHitsFromJson(columns);

    public override string LastInsertId => inner.LastInsertId;

    public override string TableExistsQuery => inner.TableExistsQuery;

    public override string Top1(string selectList, string rest) => inner.Top1(selectList, rest);

    public override string PrefixTableName(string table) => inner.PrefixTableName(table);

    private static DbConnection Unwrap(DbConnection connection) => connection is CountingConnection counting ? counting.Inner : connection;
}

/// <summary>A real connection underneath; every command, bulk copy and transaction request through it is counted.</summary>
public sealed class CountingConnection(DbConnection inner, CountingDialect counter) : DbConnection
{
    public DbConnection Inner => inner;

    [AllowNull]
    public override string ConnectionString
    {
        get => inner.ConnectionString;
        set => inner.ConnectionString = value;
    }

    public override string Database => inner.Database;

    public override string DataSource => inner.DataSource;

    public override string ServerVersion => inner.ServerVersion;

    public override ConnectionState State => inner.State;

    public override void ChangeDatabase(string databaseName) => inner.ChangeDatabase(databaseName);

    public override void Open() => inner.Open();

    public override Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

    public override void Close() => inner.Close();

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel)
    {
        counter.Count("BEGIN TRANSACTION");
        return new CountingTransaction(this, inner.BeginTransaction(isolationLevel), counter);
    }

    protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken)
    {
        counter.Count("BEGIN TRANSACTION");
        return new CountingTransaction(this, await inner.BeginTransactionAsync(isolationLevel, cancellationToken).ConfigureAwait(false), counter);
    }

    protected override DbCommand CreateDbCommand() => new CountingCommand(this, inner.CreateCommand(), counter);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    public sealed class CountingTransaction(DbConnection connection, DbTransaction inner, CountingDialect counter) : DbTransaction
    {
        public DbTransaction Inner => inner;

        public override IsolationLevel IsolationLevel => inner.IsolationLevel;

        protected override DbConnection DbConnection => connection;

        public override void Commit()
        {
            counter.Count("COMMIT");
            inner.Commit();
        }

        public override Task CommitAsync(CancellationToken cancellationToken = default)
        {
            counter.Count("COMMIT");
            return inner.CommitAsync(cancellationToken);
        }

        public override void Rollback()
        {
            counter.Count("ROLLBACK");
            inner.Rollback();
        }

        public override Task RollbackAsync(CancellationToken cancellationToken = default)
        {
            counter.Count("ROLLBACK");
            return inner.RollbackAsync(cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class CountingCommand(CountingConnection connection, DbCommand inner, CountingDialect counter) : DbCommand
    {
        private CountingConnection? _connection = connection;
        private CountingTransaction? _transaction;

        [AllowNull]
        public override string CommandText
        {
            get => inner.CommandText;
            set => inner.CommandText = value;
        }

        public override int CommandTimeout
        {
            get => inner.CommandTimeout;
            set => inner.CommandTimeout = value;
        }

        public override CommandType CommandType
        {
            get => inner.CommandType;
            set => inner.CommandType = value;
        }

        public override bool DesignTimeVisible
        {
            get => inner.DesignTimeVisible;
            set => inner.DesignTimeVisible = value;
        }

        public override UpdateRowSource UpdatedRowSource
        {
            get => inner.UpdatedRowSource;
            set => inner.UpdatedRowSource = value;
        }

        protected override DbConnection? DbConnection
        {
            get => _connection;
            set
            {
                _connection = (CountingConnection?)value;
                inner.Connection = _connection?.Inner;
            }
        }

        protected override DbParameterCollection DbParameterCollection => inner.Parameters;

        protected override DbTransaction? DbTransaction
        {
            get => _transaction;
            set
            {
                _transaction = (CountingTransaction?)value;
                inner.Transaction = _transaction?.Inner;
            }
        }

        public override void Cancel() => inner.Cancel();

        public override void Prepare() => inner.Prepare();

        protected override DbParameter CreateDbParameter() => inner.CreateParameter();

        public override int ExecuteNonQuery()
        {
            counter.Count(CommandText);
            return inner.ExecuteNonQuery();
        }

        public override Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
        {
            counter.Count(CommandText);
            return inner.ExecuteNonQueryAsync(cancellationToken);
        }

        public override object? ExecuteScalar()
        {
            counter.Count(CommandText);
            return inner.ExecuteScalar();
        }

        public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
        {
            counter.Count(CommandText);
            return inner.ExecuteScalarAsync(cancellationToken);
        }

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            counter.Count(CommandText);
            return inner.ExecuteReader(behavior);
        }

        protected override Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
        {
            counter.Count(CommandText);
            return inner.ExecuteReaderAsync(behavior, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
