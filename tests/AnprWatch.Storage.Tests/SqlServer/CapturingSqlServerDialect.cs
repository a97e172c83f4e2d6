using System.Data.Common;
using AnprWatch.Storage.Dialects;

namespace AnprWatch.Storage.Tests.SqlServer;

/// <summary>
/// The production <see cref="SqlServerDialect"/> for every piece of SQL it contributes, with connections that capture
/// statements instead of reaching a server (none can run here).
/// </summary>
public sealed class CapturingSqlServerDialect : SqlDialect
{
    private readonly SqlServerDialect _sqlServer = new("Server=capture;Database=anprwatch");
    private readonly List<CapturedStatement> _statements = [];

    public override string Name => _sqlServer.Name;

    /// <summary>What every scalar query answers (a count, an id, a version); set per operation to reach its later statements.</summary>
    public object? ScalarAnswer { get; set; } = 1L;

    /// <summary>Every statement executed so far, once per distinct text (a batch insert repeats one text per row).</summary>
    public IReadOnlyList<CapturedStatement> Statements
    {
        get
        {
            lock (_statements)
            {
                return [.. _statements.DistinctBy(s => s.Sql)];
            }
        }
    }

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    private int _executions;

    /// <summary>Every command executed so far: the round trips a real server would have seen.</summary>
    public int Executions => Volatile.Read(ref _executions);

    private readonly List<string> _executed = [];

    /// <summary>Every statement text executed so far, in order, once per execution.</summary>
    public IReadOnlyList<string> Executed
    {
        get
        {
            lock (_statements)
            {
                return [.. _executed];
            }
        }
    }

    /// <summary>Counts an execution; true the first time a statement text is executed.</summary>
    public bool FirstTime(string sql)
    {
        Interlocked.Increment(ref _executions);
        lock (_statements)
        {
            _executed.Add(sql);
            return _seen.Add(sql);
        }
    }

    public void Record(CapturedStatement statement)
    {
        lock (_statements)
        {
            _statements.Add(statement);
        }
    }

    public override DbConnection CreateConnection() => new CapturingConnection(this);

    private readonly List<(string Table, IReadOnlyList<string> Columns, int Rows)> _bulkCopies = [];

    /// <summary>Every bulk copy so far: its destination, columns and how many rows it streamed (one round trip each).</summary>
    public IReadOnlyList<(string Table, IReadOnlyList<string> Columns, int Rows)> BulkCopies
    {
        get
        {
            lock (_statements)
            {
                return [.. _bulkCopies];
            }
        }
    }

    public override Task BulkCopyAsync(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        var count = rows.Count();
        Interlocked.Increment(ref _executions);
        lock (_statements)
        {
            _bulkCopies.Add((table, columns, count));
        }

        return Task.CompletedTask;
    }

    public override IEnumerable<string> SplitScript(string script) => _sqlServer.SplitScript(script);

    public override string MigrationsTableDdl => _sqlServer.MigrationsTableDdl;

    public override string InsertHitsFromJson(IReadOnlyList<(string Column, string Property, string SqlServerType)> columns) => _sqlServer.InsertHitsFromJson(columns);

    public override string LastInsertId => _sqlServer.LastInsertId;

    public override string Top1(string selectList, string rest) => _sqlServer.Top1(selectList, rest);

    public override string PrefixTableName(string table) => _sqlServer.PrefixTableName(table);

    public override string TableExistsQuery => _sqlServer.TableExistsQuery;

    public override string Describe() => _sqlServer.Describe();

    public override void ClearPools()
    {
    }
}
