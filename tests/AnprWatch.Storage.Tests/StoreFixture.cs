using AnprWatch.Storage;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Dialects;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Markers;
using AnprWatch.Storage.Migrations;
using Dapper;

namespace AnprWatch.Storage.Tests;

/// <summary>A migrated, empty store of one dialect: a fresh SQLite file, or the SQL Server in ANPRWATCH_TEST_SQLSERVER.</summary>
public sealed class StoreFixture : IAsyncDisposable
{
    private readonly string? _directory;

    private StoreFixture(Database database, string? directory)
    {
        Database = database;
        _directory = directory;
        Audit = new AuditLog(database);
        Markers = new MarkerListStore(database, Audit, Clock);
        Hits = new HitStore(database);
    }

    public Database Database { get; }
    public AuditLog Audit { get; }
    public MarkerListStore Markers { get; }
    public HitStore Hits { get; }
    public MutableClock Clock { get; } = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    public static string? SqlServerConnectionString => Environment.GetEnvironmentVariable("ANPRWATCH_TEST_SQLSERVER");

    public static async Task<StoreFixture> CreateAsync(string dialect)
    {
        StoreFixture fixture;
        if (dialect == "sqlite")
        {
            var directory = Directory.CreateTempSubdirectory("anprwatch-store-").FullName;
            fixture = new StoreFixture(new Database(new SqliteDialect($"Data Source={Path.Combine(directory, "test.db")}")), directory);
        }
        else
        {
            fixture = new StoreFixture(new Database(new SqlServerDialect(SqlServerConnectionString!)), null);
        }

        await new MigrationRunner(fixture.Database, fixture.Clock).MigrateAsync().ConfigureAwait(false);
        if (dialect != "sqlite")
        {
            await using var connection = await fixture.Database.OpenAsync().ConfigureAwait(false);
            await connection.ExecuteAsync("DELETE FROM dbo.outcome_reasons; DELETE FROM dbo.outcomes; DELETE FROM dbo.hit_clones; DELETE FROM dbo.hit_confirmations; DELETE FROM dbo.notify_outbox; DELETE FROM dbo.hits; DELETE FROM dbo.markers; DELETE FROM dbo.marker_lists;").ConfigureAwait(false);
        }

        return fixture;
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

public sealed class MutableClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
