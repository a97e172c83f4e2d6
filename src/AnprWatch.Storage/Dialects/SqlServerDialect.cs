using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.SqlClient;

namespace AnprWatch.Storage.Dialects;

public sealed partial class SqlServerDialect(string connectionString) : SqlDialect
{
    public override string Name => "sqlserver";

    public override DbConnection CreateConnection() => new SqlConnection(connectionString);

    public override string Describe()
    {
        var builder = new SqlConnectionStringBuilder(connectionString);
        return $"the SQL Server database {builder.InitialCatalog} on {builder.DataSource}";
    }

    public override void ClearPools() => SqlConnection.ClearAllPools();

    public override bool IsUniqueViolation(System.Data.Common.DbException exception) => exception is SqlException { Number: 2627 or 2601 };

    public override IEnumerable<string> SplitScript(string script)
        => GoSeparator().Split(script).Select(s => s.Trim()).Where(s => s.Length > 0);

    public override string MigrationsTableDdl =>
        "IF OBJECT_ID('dbo.schema_migrations') IS NULL CREATE TABLE dbo.schema_migrations (version INT NOT NULL PRIMARY KEY, name NVARCHAR(200) NOT NULL, applied_at_ms BIGINT NOT NULL)";

    // OPENJSON reads the whole chunk in one statement. UPDLOCK+HOLDLOCK makes the existence check and the insert one
    // atomic step under concurrent workers; the locks last one statement (its implicit transaction), not a batch.
    public override string InsertHitsFromJson(IReadOnlyList<(string Column, string Property, string SqlServerType)> columns)
        => $"INSERT INTO dbo.hits ({string.Join(", ", columns.Select(c => c.Column))}) " +
           $"SELECT {string.Join(", ", columns.Select(c => "j." + c.Column))} FROM OPENJSON(@rows) " +
           $"WITH ({string.Join(", ", columns.Select(c => $"{c.Column} {c.SqlServerType} '$.{c.Property}'"))}) AS j " +
           "WHERE NOT EXISTS (SELECT 1 FROM dbo.hits h WITH (UPDLOCK, HOLDLOCK) WHERE h.read_id = j.read_id AND h.marker_id = j.marker_id)";

    // CheckConstraints: constraints are checked as for an INSERT, so the login needs only INSERT on the table (no ALTER).
    // One batch (BatchSize 0) streamed from the reader; no timeout, as the caller's transaction bounds it.
    public override async Task BulkCopyAsync(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        using var bulk = new SqlBulkCopy((SqlConnection)connection, SqlBulkCopyOptions.CheckConstraints, (SqlTransaction)transaction)
        {
            DestinationTableName = table,
            BatchSize = 0,
            BulkCopyTimeout = 0,
            EnableStreaming = true,
        };
        foreach (var column in columns)
        {
            bulk.ColumnMappings.Add(column, column);
        }

        await using var reader = new RowReader(columns, rows);
        await bulk.WriteToServerAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    public override string LastInsertId => "SELECT CAST(SCOPE_IDENTITY() AS BIGINT)";

    public override string TableExistsQuery => "SELECT COUNT(*) FROM sys.tables WHERE name = @table AND schema_id = SCHEMA_ID('dbo')";

    public override string Top1(string selectList, string rest) => $"SELECT TOP (1) {selectList} {rest}";

    public override string PrefixTableName(string table) => "dbo." + table;

    [GeneratedRegex(@"^\s*GO\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex GoSeparator();
}
