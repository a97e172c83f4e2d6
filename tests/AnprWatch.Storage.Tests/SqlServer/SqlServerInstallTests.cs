using AnprWatch.Storage.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace AnprWatch.Storage.Tests.SqlServer;

/// <summary>
/// Issue 18, one migration path: the script a DBA runs with sqlcmd (`anprwatch db script --provider sqlserver`,
/// committed as deploy/sql/install.sql) is complete, idempotent and keeps the journal `db migrate` keeps; logins.sql
/// lands in the application's database and grants UPDATE only on the columns the code updates.
/// </summary>
public class SqlServerInstallTests
{
    private static string DeploySql => Path.Combine(SqlServerStatementTests.RepositoryRoot(), "deploy", "sql");

    [Test]
    public void The_committed_install_sql_is_what_db_script_prints()
        => Assert.That(File.ReadAllText(Path.Combine(DeploySql, "install.sql")), Is.EqualTo(SqlServerInstallScript.Generate()),
            "regenerate it: anprwatch db script --provider sqlserver > deploy/sql/install.sql");

    [Test]
    public void The_install_script_parses_creates_the_journal_first_and_journals_every_migration_once()
    {
        var script = Parse(SqlServerInstallScript.Generate());
        var statements = script.Batches.SelectMany(b => b.Statements).ToList();
        var journalDdl = statements.OfType<IfStatement>().First();
        Assert.That(Text(journalDdl), Does.Contain("CREATE TABLE dbo.schema_migrations"));

        var journalled = new List<long>();
        var executed = 0;
        foreach (var guarded in statements.OfType<IfStatement>().Skip(1))
        {
            // Every step is guarded by "this version is not in the journal yet", so a second run changes nothing.
            Assert.That(Text(guarded.Predicate), Does.StartWith("NOT EXISTS (SELECT 1 FROM dbo.schema_migrations WHERE version = "));
            switch (guarded.ThenStatement)
            {
                case InsertStatement insert:
                    Assert.That(Text(insert.InsertSpecification.Target), Is.EqualTo("dbo.schema_migrations"));
                    var row = ((ValuesInsertSource)insert.InsertSpecification.InsertSource).RowValues.Single();
                    journalled.Add(long.Parse(((IntegerLiteral)row.ColumnValues[0]).Value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case ExecuteStatement exec:
                    // The migration batch inside EXEC must itself parse.
                    var inner = ((ExecutableStringList)exec.ExecuteSpecification.ExecutableEntity).Strings.Cast<StringLiteral>().Single().Value;
                    Assert.That(SqlServerStatementTests.ParseErrors(inner), Is.Empty, inner);
                    executed++;
                    break;
                default:
                    Assert.Fail("unexpected guarded statement: " + Text(guarded));
                    break;
            }
        }

        var files = Directory.GetFiles(Path.Combine(DeploySql, "migrations"), "*.sql").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(files.Take(4), Is.EqualTo(new[] { "0001_initial.sql", "0002_alert_delivery.sql", "0003_store_identity.sql", "0004_hot_lookup_indexes.sql" }));
            Assert.That(journalled, Is.EqualTo(files.Select(f => long.Parse(f![..4], System.Globalization.CultureInfo.InvariantCulture))));
            Assert.That(executed, Is.GreaterThan(files.Count));
            Assert.That(statements.OfType<BeginTransactionStatement>().Count(), Is.EqualTo(files.Count));
            Assert.That(statements.OfType<CommitTransactionStatement>().Count(), Is.EqualTo(files.Count));
        });
    }

    [Test]
    public void Logins_sql_creates_the_user_and_grants_in_the_application_database_not_master()
    {
        var statements = Parse(File.ReadAllText(Path.Combine(DeploySql, "logins.sql"))).Batches.SelectMany(b => b.Statements).ToList();
        var firstUserOrGrant = statements.FindIndex(s => s is GrantStatement || (s is IfStatement i && i.ThenStatement is CreateUserStatement));
        var lastUse = statements.Take(firstUserOrGrant).OfType<UseStatement>().Last();
        Assert.That(lastUse.DatabaseName.Value, Is.EqualTo("AnprWatch"));
    }

    [Test]
    public async Task Logins_sql_grants_update_only_on_the_columns_the_code_updates()
    {
        string[] expected =
        [
            "dbo.api_key_details.last_used_ms", "dbo.api_keys.revoked_at_ms", "dbo.hit_confirmations.delivered_ms", "dbo.hits.alert_delivered_ms", "dbo.location_lists.is_active", "dbo.marker_lists.is_active",
            "dbo.notify_outbox.attempts", "dbo.notify_outbox.delivered_at_ms", "dbo.notify_outbox.last_error", "dbo.notify_outbox.lease_owner",
            "dbo.notify_outbox.lease_until_ms", "dbo.notify_outbox.next_attempt_at_ms", "dbo.web_sessions.ended_at_ms",
        ];

        var granted = new List<string>();
        foreach (var grant in Parse(File.ReadAllText(Path.Combine(DeploySql, "logins.sql"))).Batches.SelectMany(b => b.Statements).OfType<GrantStatement>())
        {
            var table = Text(grant.SecurityTargetObject.ObjectName);
            foreach (var permission in grant.Permissions.Where(p => p.Identifiers.Any(i => i.Value.Equals("UPDATE", StringComparison.OrdinalIgnoreCase))))
            {
                Assert.That(permission.Columns, Is.Not.Empty, $"table-wide UPDATE on {table}");
                granted.AddRange(permission.Columns.Select(c => $"{table}.{c.Value}"));
            }
        }

        var updated = (await SqlServerStatementTests.CapturedAsync())
            .Select(s => Parse(s.Sql))
            .SelectMany(p => p.Batches.SelectMany(b => b.Statements).OfType<UpdateStatement>())
            .SelectMany(u => u.UpdateSpecification.SetClauses.Cast<AssignmentSetClause>()
                .Select(c => $"{Text(u.UpdateSpecification.Target)}.{c.Column.MultiPartIdentifier.Identifiers[^1].Value}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(updated, Is.EqualTo(expected), "the UPDATEs the application sends");
            Assert.That(granted.Order(StringComparer.Ordinal), Is.EqualTo(expected), "the column-level UPDATE grants");
        });
    }

    /// <summary>
    /// DPA 2018 s.62: the application's login may only append to and read the audit log. Every permission statement
    /// touching audit_log is collected, and nothing may reach it another way (a schema- or database-wide grant, a
    /// fixed role such as db_datawriter).
    /// </summary>
    [Test]
    public void Logins_sql_lets_the_app_only_insert_into_and_select_from_the_audit_log()
    {
        var statements = Parse(File.ReadAllText(Path.Combine(DeploySql, "logins.sql"))).Batches.SelectMany(b => b.Statements).ToList();
        static IEnumerable<string> Permissions(SecurityStatement statement)
            => statement.Permissions.Select(p => string.Join(" ", p.Identifiers.Select(i => i.Value.ToUpperInvariant())));
        static bool OnAuditLog(SecurityStatement statement) => statement.SecurityTargetObject?.ObjectName is { } name && Text(name) == "dbo.audit_log";

        var granted = statements.OfType<GrantStatement>().Where(OnAuditLog).SelectMany(Permissions).Order(StringComparer.Ordinal).ToList();
        var denied = statements.OfType<DenyStatement>().Where(OnAuditLog).SelectMany(Permissions).Order(StringComparer.Ordinal).ToList();
        var broad = statements.OfType<GrantStatement>()
            .Where(g => g.SecurityTargetObject is null || g.SecurityTargetObject.ObjectKind != SecurityObjectKind.NotSpecified)
            .Select(Text).ToList();
        var roles = statements.Where(s => s is AlterRoleStatement || (s is ExecuteStatement e && Text(e).Contains("sp_addrolemember", StringComparison.OrdinalIgnoreCase)))
            .Select(Text).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(granted, Is.EqualTo(new[] { "INSERT", "SELECT" }), "granted on dbo.audit_log");
            Assert.That(denied, Is.EqualTo(new[] { "ALTER", "DELETE", "UPDATE" }), "denied on dbo.audit_log");
            Assert.That(broad, Is.Empty, "schema- or database-wide grants would reach the audit log too");
            Assert.That(roles, Is.Empty, "a fixed role (db_datawriter) would grant UPDATE and DELETE on the audit log");
        });
    }

    private static TSqlScript Parse(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        var fragment = (TSqlScript)parser.Parse(reader, out var errors);
        Assert.That(errors.Select(e => $"line {e.Line}: {e.Message}"), Is.Empty);
        return fragment;
    }

    private static string Text(TSqlFragment fragment)
        => string.Concat(Enumerable.Range(fragment.FirstTokenIndex, fragment.LastTokenIndex - fragment.FirstTokenIndex + 1)
            .Select(i => fragment.ScriptTokenStream[i].Text));
}
