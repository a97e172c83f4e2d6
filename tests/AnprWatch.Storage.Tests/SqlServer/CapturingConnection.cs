using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.SqlClient;

namespace AnprWatch.Storage.Tests.SqlServer;

/// <summary>One statement as the application would send it: its text and how many parameters travel with it.</summary>
public sealed record CapturedStatement(string Sql, int ParameterCount, IReadOnlyList<CapturedParameter> Parameters);

/// <summary>A parameter as SqlClient would send it: name (without @), SQL type and declared size.</summary>
public sealed record CapturedParameter(string Name, System.Data.SqlDbType Type, int Size);

/// <summary>
/// Stands in for a SQL Server connection where none can run: every command the stores execute is recorded as sent
/// (after Dapper has expanded lists into parameters) and answered with no rows. Parameters are real
/// <see cref="SqlParameter"/>s, so Dapper binds them exactly as it would for SqlClient.
/// </summary>
public sealed class CapturingConnection(CapturingSqlServerDialect dialect) : DbConnection
{
    private ConnectionState _state = ConnectionState.Closed;

    [AllowNull]
    public override string ConnectionString { get; set; } = "";

    public override string Database => "anprwatch";

    public override string DataSource => "capture";

    public override string ServerVersion => "16.00.0000";

    public override ConnectionState State => _state;

    public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();

    public override void Open() => _state = ConnectionState.Open;

    public override void Close() => _state = ConnectionState.Closed;

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => new CapturingTransaction(this, isolationLevel);

    protected override DbCommand CreateDbCommand() => new CapturingCommand(this, dialect);

    private sealed class CapturingTransaction(DbConnection connection, IsolationLevel isolationLevel) : DbTransaction
    {
        public override IsolationLevel IsolationLevel => isolationLevel;

        protected override DbConnection DbConnection => connection;

        public override void Commit()
        {
        }

        public override void Rollback()
        {
        }
    }

    private sealed class CapturingCommand(DbConnection connection, CapturingSqlServerDialect dialect) : DbCommand
    {
        private readonly SqlCommand _parameters = new();

        [AllowNull]
        public override string CommandText { get; set; } = "";

        public override int CommandTimeout { get; set; } = 30;

        public override CommandType CommandType { get; set; } = CommandType.Text;

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection { get; set; } = connection;

        protected override DbParameterCollection DbParameterCollection => _parameters.Parameters;

        protected override DbTransaction? DbTransaction { get; set; }

        public override void Cancel()
        {
        }

        public override void Prepare()
        {
        }

        public override int ExecuteNonQuery()
        {
            Record();
            return 1;
        }

        public override object? ExecuteScalar()
        {
            Record();
            return dialect.ScalarAnswer;
        }

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            Record();

            // No rows, but one column: Dapper refuses to build a row parser for a result with no columns at all.
            using var empty = new DataTable();
            empty.Columns.Add("none", typeof(string));
            return new DataTableReader(empty);
        }

        protected override DbParameter CreateDbParameter() => _parameters.CreateParameter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _parameters.Dispose();
            }

            base.Dispose(disposing);
        }

        private void Record()
        {
            // A batch insert repeats one text per row: the parameters' types are read once per distinct text.
            if (dialect.FirstTime(CommandText))
            {
                var parameters = _parameters.Parameters.Cast<SqlParameter>().Select(p => new CapturedParameter(p.ParameterName.TrimStart('@'), p.SqlDbType, p.Size)).ToList();
                dialect.Record(new CapturedStatement(CommandText, _parameters.Parameters.Count, parameters));
            }
        }
    }
}
