using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests;

/// <summary>
/// An operator deletes or moves the SQLite database but not its <c>-wal</c> (or <c>-shm</c>). Opening or creating a
/// database of that name would have SQLite delete the leftover log (and the commits in it), so every command,
/// `db migrate` and `serve` with Storage:CreateIfMissing refuse with exit 2 naming the leftover, and create nothing.
/// </summary>
public class OrphanedWalTests
{
    [Test]
    public async Task Db_migrate_beside_an_orphaned_wal_exits_2_naming_it_and_creates_no_database()
    {
        using var cli = new CliRunner(createStore: false);
        var wal = await LeaveOrphanedWalAsync(cli);
        var before = await File.ReadAllBytesAsync(wal);

        var migrate = await cli.RunAsync("db", "migrate");

        Assert.Multiple(() =>
        {
            Assert.That(migrate.ExitCode, Is.EqualTo(2), migrate.Err);
            Assert.That(migrate.Err, Is.EqualTo(
                $"error: the SQLite store {cli.Database} does not exist, but {wal} (part of a database that was deleted or moved without it) does: " +
                "SQLite would delete it on creating a new store, losing the writes it holds that never reached the database. Put it back beside the database it belongs to, or delete it if that database is gone for good, then try again\n"));
            Assert.That(File.Exists(cli.Database), Is.False, "no database was created beside the leftover log");
            Assert.That(File.ReadAllBytes(wal), Is.EqualTo(before), "the leftover log is left as it was, for the operator");
        });
    }

    [Test]
    public async Task Serve_with_create_if_missing_beside_an_orphaned_wal_exits_2_naming_it_and_creates_no_database()
    {
        using var cli = new CliRunner(createStore: false);
        var wal = await LeaveOrphanedWalAsync(cli);

        var serve = await cli.RunAsync("serve", "--Storage:CreateIfMissing=true", "--Source:Kind=none", "--Http:Urls=http://127.0.0.1:0")
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Multiple(() =>
        {
            Assert.That(serve.ExitCode, Is.EqualTo(2), serve.Err);
            Assert.That(serve.Err, Does.StartWith($"error: the SQLite store {cli.Database} does not exist, but {wal} (part of a database that was deleted or moved without it) does"));
            Assert.That(File.Exists(cli.Database), Is.False);
        });
    }

    [Test]
    public async Task Any_command_beside_an_orphaned_wal_exits_2_naming_the_leftover_rather_than_a_missing_store()
    {
        using var cli = new CliRunner(createStore: false);
        var wal = await LeaveOrphanedWalAsync(cli);

        var keys = await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "riu");

        Assert.Multiple(() =>
        {
            Assert.That(keys.ExitCode, Is.EqualTo(2), keys.Err);
            Assert.That(keys.Err, Does.Contain($"but {wal} (part of a database that was deleted or moved without it) does"));
            Assert.That(File.Exists(cli.Database), Is.False);
        });
    }

    [Test]
    public async Task Db_migrate_beside_an_orphaned_shm_alone_exits_2_naming_it()
    {
        using var cli = new CliRunner(createStore: false);
        var wal = await LeaveOrphanedWalAsync(cli);
        File.Delete(wal);
        var shm = cli.Database + "-shm";
        Assert.That(File.Exists(shm), Is.True, "the copied database left its shared-memory file too");

        var migrate = await cli.RunAsync("db", "migrate");

        Assert.Multiple(() =>
        {
            Assert.That(migrate.ExitCode, Is.EqualTo(2), migrate.Err);
            Assert.That(migrate.Err, Does.Contain($"but {shm} (part of a database that was deleted or moved without it) does"));
            Assert.That(File.Exists(cli.Database), Is.False);
        });
    }

    [Test]
    public async Task Db_migrate_after_the_operator_removes_the_leftovers_creates_the_store()
    {
        using var cli = new CliRunner(createStore: false);
        var wal = await LeaveOrphanedWalAsync(cli);
        File.Delete(wal);
        File.Delete(cli.Database + "-shm");

        var migrate = await cli.RunAsync("db", "migrate");

        Assert.Multiple(() =>
        {
            Assert.That(migrate.ExitCode, Is.Zero, migrate.Err);
            Assert.That(File.Exists(cli.Database), Is.True);
        });
    }

    [Test]
    public async Task A_file_uri_data_source_is_checked_as_the_file_it_names_a_leftover_log_refused_and_a_real_store_used()
    {
        // SQLite and Microsoft.Data.Sqlite accept "Data Source=file:/path/a.db?cache=shared". The file checks looked
        // for a file literally named "file:/path/a.db...": migrate beside an orphaned log went ahead (SQLite then drops
        // the log, and with it the writes the moved database still needs) and made a "file:" folder in the working
        // directory, and every command then refused the store it had just made as missing.
        using var cli = new CliRunner(createStore: false);
        var wal = await LeaveOrphanedWalAsync(cli);
        var uri = $"Data Source=file:{new Uri(cli.Database).AbsolutePath}?cache=private";

        var refused = await RunAsync(uri, "db", "migrate");
        Assert.Multiple(() =>
        {
            Assert.That(refused.ExitCode, Is.EqualTo(2), refused.Err);
            Assert.That(refused.Err, Does.Contain($"but {wal} (part of a database that was deleted or moved without it) does"));
            Assert.That(File.Exists(cli.Database), Is.False);
        });

        File.Delete(wal);
        File.Delete(cli.Database + "-shm");
        var migrate = await RunAsync(uri, "db", "migrate");
        var keys = await RunAsync(uri, "keys", "create", "--role", "analyst", "--name", "riu");
        Assert.Multiple(() =>
        {
            Assert.That(migrate.ExitCode, Is.Zero, migrate.Err);
            Assert.That(File.Exists(cli.Database), Is.True);
            Assert.That(keys.ExitCode, Is.Zero, keys.Err);
            Assert.That(System.IO.Directory.Exists("file:"), Is.False, "no folder named after the URI scheme");
        });
    }

    private static async Task<CliResult> RunAsync(string connectionString, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Cli.CliApp.RunAsync([.. args, $"--Storage:ConnectionString={connectionString}"], output, error, TestClock.Provider);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// A real store in WAL mode elsewhere, with a committed write still in its log (a connection holds it open, so it
    /// is not checkpointed away); its -wal and -shm are copied beside <paramref name="cli"/>'s database path, where no
    /// database is: what an operator leaves by moving only the .db file.
    /// </summary>
    private static async Task<string> LeaveOrphanedWalAsync(CliRunner cli)
    {
        using var other = new CliRunner();
        await using var holder = new SqliteConnection($"Data Source={other.Database};Pooling=false");
        await holder.OpenAsync();
        await using (var write = holder.CreateCommand())
        {
            write.CommandText = "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE other_store (x INTEGER); INSERT INTO other_store VALUES (42);";
            await write.ExecuteNonQueryAsync();
        }

        Assert.That(new FileInfo(other.Database + "-wal").Length, Is.GreaterThan(0), "the other store's log holds the write");
        File.Copy(other.Database + "-wal", cli.Database + "-wal");
        File.Copy(other.Database + "-shm", cli.Database + "-shm");
        Assert.That(File.Exists(cli.Database), Is.False);
        return cli.Database + "-wal";
    }
}
