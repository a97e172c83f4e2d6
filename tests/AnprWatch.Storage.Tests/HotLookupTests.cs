using System.Data;
using AnprWatch.Storage.Dialects;
using AnprWatch.Storage.Migrations;
using AnprWatch.Storage.Tests.SqlServer;
using Microsoft.Data.Sqlite;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace AnprWatch.Storage.Tests;

/// <summary>
/// Issue 18, queries that seek: every hot lookup's filter columns lead an index in the schema of both dialects
/// (SQLite: read from a migrated store; SQL Server: parsed from the migration scripts), each hot statement is really
/// sent by the stores, and its parameters are typed to their columns so SQL Server seeks instead of converting.
/// </summary>
public class HotLookupTests
{
    /// <param name="Sql">A fragment of the statement the stores send (checked against the SQL Server capture).</param>
    public sealed record HotLookup(string What, string Table, string[] Columns, string Sql)
    {
        public override string ToString() => What;
    }

    private static readonly HotLookup[] Hot =
    [
        new("alert feed, polled by every open board", "hits", ["recorded_at_ms", "hit_id"], "h.recorded_at_ms > @ms OR (h.recorded_at_ms = @ms AND h.hit_id > @id)"),
        new("suppression, one query per batch", "hits", ["marker_id"], "WHERE h.marker_id IN (SELECT j.id FROM OPENJSON(@markerIds)"),
        new("suppression of one hit (the contract tests' independent answer)", "hits", ["marker_id", "camera_force", "observed_at_ms"], "WHERE marker_id = @markerId AND camera_force = @cameraForce"),
        new("hit ids, read back and marked delivered for every batch", "hits", ["hit_id"], "WHERE hit_id IN"),
        new("duplicate hit check on insert", "hits", ["read_id", "marker_id"], "WHERE h.read_id = j.read_id AND h.marker_id = j.marker_id"),
        new("hits by period: lists, reports, purge", "hits", ["observed_at_ms"], "WHERE h.observed_at_ms >= @from"),
        new("API key, on every request", "api_keys", ["key_hash"], "WHERE key_hash = @hash"),
        new("API key by name", "api_keys", ["name"], "WHERE name = @name"),
        new("marker by plate", "markers", ["vrm"], "m.vrm = @vrm"),
        new("a list's markers, for the index load", "markers", ["list_id"], "l.list_id = m.list_id"),
        new("a force's lists", "marker_lists", ["force_code"], "WHERE force_code = @code"),
        new("a hit's latest outcome", "outcomes", ["hit_id"], "o2.hit_id = h.hit_id"),
        new("audit log by period", "audit_log", ["at_ms"], "WHERE at_ms >= @from"),
    ];

    public static IEnumerable<HotLookup> HotLookups() => Hot;

    private static bool Leads(IEnumerable<IReadOnlyList<string>> indexes, string[] columns)
        => indexes.Any(index => index.Count >= columns.Length
            && index.Take(columns.Length).Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(columns.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase));

    [TestCaseSource(nameof(HotLookups))]
    public async Task Sqlite_has_an_index_led_by_the_filter_columns(HotLookup hot)
    {
        var directory = Directory.CreateTempSubdirectory("anprwatch-hot-").FullName;
        try
        {
            var database = new Database(new SqliteDialect($"Data Source={Path.Combine(directory, "hot.db")}"));
            await new MigrationRunner(database, TimeProvider.System).MigrateAsync();
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "hot.db")};Pooling=false");
            await connection.OpenAsync();
            var indexes = new List<IReadOnlyList<string>>();
            foreach (var name in await ColumnAsync(connection, $"SELECT name FROM pragma_index_list('{hot.Table}')"))
            {
                indexes.Add(await ColumnAsync(connection, $"SELECT name FROM pragma_index_info('{name}') ORDER BY seqno"));
            }

            Assert.That(Leads(indexes, hot.Columns), Is.True, $"{hot.Table}: {string.Join("; ", indexes.Select(i => string.Join(", ", i)))}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestCaseSource(nameof(HotLookups))]
    public void Sql_server_has_an_index_led_by_the_filter_columns(HotLookup hot)
    {
        var indexes = SqlServerIndexes().Where(i => i.Table == hot.Table).Select(i => i.Columns).ToList();
        Assert.That(Leads(indexes, hot.Columns), Is.True, $"{hot.Table}: {string.Join("; ", indexes.Select(i => string.Join(", ", i)))}");
    }

    [TestCaseSource(nameof(HotLookups))]
    public async Task The_hot_statement_is_one_the_stores_send(HotLookup hot)
        => Assert.That((await SqlServerStatementTests.CapturedAsync()).Where(s => s.Sql.Contains(hot.Sql, StringComparison.Ordinal)), Is.Not.Empty);

    [TestCase("WHERE key_hash = @hash", "hash", SqlDbType.Char, 64)]
    [TestCase("WHERE marker_id = @markerId AND camera_force", "markerId", SqlDbType.VarChar, 32)]
    [TestCase("WHERE marker_id = @markerId AND camera_force", "cameraForce", SqlDbType.NVarChar, 32)]
    [TestCase("WHERE marker_id = @markerId AND camera_force", "excludingHitId", SqlDbType.VarChar, 32)]
    [TestCase("h.recorded_at_ms > @ms", "id", SqlDbType.VarChar, 32)]
    [TestCase("m.vrm = @vrm", "vrm", SqlDbType.VarChar, 10)]
    [TestCase("h.marker_vrm = @vrm", "vrm", SqlDbType.VarChar, 10)]
    [TestCase("COUNT(*) FROM dbo.hits WHERE hit_id = @hitId", "hitId", SqlDbType.VarChar, 32)]
    [TestCase("camera_force, host_force FROM dbo.hits WHERE hit_id = @hitId", "hitId", SqlDbType.VarChar, 32)]
    [TestCase("INSERT INTO dbo.outcomes (hit_id", "hitId", SqlDbType.VarChar, 32)]
    [TestCase("INSERT INTO dbo.outcome_reasons", "reason", SqlDbType.VarChar, 32)]
    [TestCase("WHERE o.hit_id IN (@ids", "ids1", SqlDbType.VarChar, 32)]
    public async Task Hot_parameters_are_typed_to_their_columns(string fragment, string parameter, SqlDbType type, int size)
    {
        var statements = (await SqlServerStatementTests.CapturedAsync()).Where(s => s.Sql.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.That(statements, Is.Not.Empty, fragment);
        foreach (var statement in statements)
        {
            var sent = statement.Parameters.Single(p => p.Name == parameter);
            Assert.That((sent.Type, sent.Size), Is.EqualTo((type, size)), statement.Sql);
        }
    }

    /// <summary>
    /// A batch's id sets travel as one JSON parameter (one round trip however many ids); OPENJSON types each id as the
    /// column it is compared with, so the comparison seeks like a typed parameter would.
    /// </summary>
    [TestCase("SET alert_delivered_ms = @at WHERE hit_id IN (SELECT j.id FROM OPENJSON(@ids) WITH (id VARCHAR(32) '$') AS j)")]
    [TestCase("WHERE h.hit_id IN (SELECT j.id FROM OPENJSON(@ids) WITH (id VARCHAR(32) '$') AS j)")]
    [TestCase("WHERE h.marker_id IN (SELECT j.id FROM OPENJSON(@markerIds) WITH (id VARCHAR(32) '$') AS j) AND h.alerted = 1")]
    [TestCase("WHERE h.marker_id IN (SELECT j.id FROM OPENJSON(@ids) WITH (id VARCHAR(32) '$') AS j) AND h.match_kind = 'exact'")]
    public async Task Id_sets_sent_as_json_are_typed_to_their_columns(string fragment)
        => Assert.That((await SqlServerStatementTests.CapturedAsync()).Where(s => s.Sql.Contains(fragment, StringComparison.Ordinal)), Is.Not.Empty, fragment);

    [Test]
    public async Task Every_json_id_set_is_typed()
    {
        var untyped = (await SqlServerStatementTests.CapturedAsync())
            .Where(s => System.Text.RegularExpressions.Regex.IsMatch(s.Sql, @"OPENJSON\(@\w+\)(?! WITH \()")).Select(s => s.Sql).ToList();
        Assert.That(untyped, Is.Empty);
    }

    [Test]
    public async Task A_value_longer_than_its_column_is_sent_whole_never_truncated_to_a_different_string()
    {
        var parameter = Typed.Vrm("AB12CDEFGHJK");
        using var command = new Microsoft.Data.SqlClient.SqlCommand();
        ((Dapper.SqlMapper.ICustomQueryParameter)parameter).AddParameter(command, "vrm");
        var sent = command.Parameters[0];
        Assert.That((sent.SqlDbType, sent.Size, sent.Value), Is.EqualTo((SqlDbType.VarChar, 12, (object)"AB12CDEFGHJK")));
        await Task.CompletedTask;
    }

    private static async Task<List<string>> ColumnAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private sealed record SqlServerIndex(string Table, IReadOnlyList<string> Columns);

    private static List<SqlServerIndex> SqlServerIndexes()
    {
        var visitor = new IndexCollector();
        foreach (var path in Directory.GetFiles(Path.Combine(SqlServerStatementTests.RepositoryRoot(), "deploy", "sql", "migrations"), "*.sql"))
        {
            var parser = new TSql160Parser(initialQuotedIdentifiers: true);
            using var reader = new StringReader(File.ReadAllText(path));
            var fragment = parser.Parse(reader, out var errors);
            Assert.That(errors, Is.Empty, path);
            fragment.Accept(visitor);
        }

        return visitor.Indexes;
    }

    private sealed class IndexCollector : TSqlFragmentVisitor
    {
        public List<SqlServerIndex> Indexes { get; } = [];

        public override void Visit(CreateTableStatement node)
        {
            var table = node.SchemaObjectName.BaseIdentifier.Value;
            foreach (var constraint in node.Definition.TableConstraints.OfType<UniqueConstraintDefinition>())
            {
                Indexes.Add(new(table, [.. constraint.Columns.Select(c => c.Column.MultiPartIdentifier.Identifiers[^1].Value)]));
            }

            foreach (var column in node.Definition.ColumnDefinitions.Where(c => c.Constraints.OfType<UniqueConstraintDefinition>().Any()))
            {
                Indexes.Add(new(table, [column.ColumnIdentifier.Value]));
            }
        }

        public override void Visit(CreateIndexStatement node)
            => Indexes.Add(new(node.OnName.BaseIdentifier.Value, [.. node.Columns.Select(c => c.Column.MultiPartIdentifier.Identifiers[^1].Value)]));
    }
}
