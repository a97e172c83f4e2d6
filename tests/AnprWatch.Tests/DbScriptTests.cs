namespace AnprWatch.Tests;

/// <summary>`anprwatch db script`: the DBA's install path, printed without touching any store.</summary>
public class DbScriptTests
{
    [Test]
    public async Task Db_script_prints_the_sql_server_install_script_and_touches_no_store()
    {
        using var cli = new CliRunner(createStore: false);
        var result = await cli.RunAsync("db", "script", "--provider", "sqlserver");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Err);
            Assert.That(result.Out, Does.StartWith("-- AnprWatch: the complete SQL Server schema"));
            Assert.That(result.Out, Does.Contain("CREATE TABLE dbo.schema_migrations").And.Contain("N'0003_store_identity.sql'"));
            Assert.That(File.Exists(cli.Database), Is.False);
        });
    }

    [Test]
    public async Task Db_script_for_sqlite_is_refused_with_exit_code_2()
    {
        using var cli = new CliRunner(createStore: false);
        var result = await cli.RunAsync("db", "script", "--provider", "sqlite");
        Assert.That(result.ExitCode, Is.EqualTo(2), result.Err);
    }
}
