using System.Text.Json;
using System.Text.Json.Nodes;
using AnprWatch.Core.Markers;
using AnprWatch.Hosting;
using AnprWatch.Web.Health;
using AnprWatch.Worker;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Polly;

namespace AnprWatch.Tests.Reliability;

/// <summary>
/// SQLITE_CORRUPT (11). The decision (docs/RELIABILITY.md): the worker keeps pausing on it, because a file swapped
/// under a pooled connection reads as corrupt until the guard sees the swap and a restore cures it without a restart;
/// but no waiting mends a damaged file, so /readyz, the log and the commands say "the store file is corrupt: restore it
/// (docs/OPERATIONS.md)" in those words, distinct from an ordinary outage.
/// </summary>
public class CorruptStoreTests
{
    private const string Restore = "the store file is corrupt: restore it (docs/OPERATIONS.md)";

    [Test]
    public async Task A_corrupt_store_file_makes_readyz_503_saying_restore_it_and_logs_it_critically()
    {
        using var cli = new CliRunner();
        Corrupt(cli.Database);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:ConnectionString"] = $"Data Source={cli.Database}" }).Build();
        using var services = new ServiceCollection().AddAnprWatchCore(configuration, TimeProvider.System).BuildServiceProvider();
        var logs = new Logs<StoreGuard>();
        var guard = new StoreGuard(services.GetRequiredService<AppServices>(), logs);
        var check = new ReadinessCheck(guard, new MarkerIndexHolder(), new Readiness(), ServeOptions.Load(configuration), TimeProvider.System,
            new AnprWatch.Notifications.NotificationStatus(AnprWatch.Notifications.NotifyOptions.None), new AnprWatch.Board.BoardFeed());

        var result = await check.CheckHealthAsync(new HealthCheckContext());
        var body = JsonNode.Parse(JsonSerializer.Serialize(result.Data[ReadinessCheck.Body]))!;

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(body["storeProblem"]!.GetValue<string>(), Is.EqualTo($"{Restore} (SQLite Error 11: 'database disk image is malformed'.)"));
            Assert.That(logs.Entries.Where(e => e.Level == LogLevel.Critical).Select(e => e.Message), Has.One.StartsWith($"STORE UNAVAILABLE: {Restore} ("));
        });
    }

    [Test]
    public async Task A_command_on_a_corrupt_store_file_exits_1_saying_restore_it()
    {
        using var cli = new CliRunner();
        Corrupt(cli.Database);

        var result = await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "riu");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Err, Does.StartWith($"error: the store failed: {Restore} (SQLite Error 11: 'database disk image is malformed'.)"));
        });
    }

    [Test]
    public async Task A_batch_failing_on_a_corrupt_store_is_retried_not_dropped_and_says_restore_it_at_critical_once_then_at_warning()
    {
        var logs = new Logs<CorruptStoreTests>();
        var reported = new List<string>();
        var resilience = StoreResilience.Create(logs, reported.Add);
        var attempts = 0;

        await resilience.ExecuteAsync(_ =>
        {
            // Three times corrupt, then restored: the batch in hand is retried, never skipped or isolated.
            if (++attempts <= 3)
            {
                throw new SqliteException("SQLite Error 11: 'database disk image is malformed'.", 11);
            }

            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        const string Described = $"{Restore} (SQLite Error 11: 'database disk image is malformed'.)";
        Assert.Multiple(() =>
        {
            Assert.That(attempts, Is.EqualTo(4));
            Assert.That(reported, Is.EqualTo(new[] { Described, Described, Described }), "what /readyz's worker line shows");

            // Critical pages someone: once for the fault (again every StoreResilience.CorruptRepeat while it lasts), not
            // on every attempt, which come every 5 s at most for as long as nobody restores the file.
            Assert.That(logs.Entries.Where(e => e.Level == LogLevel.Critical).Select(e => e.Message), Is.EqualTo(new[]
            {
                $"STORE CORRUPT: {Described}. The worker is paused on the batch in hand (attempt 1); it resumes once the store is restored",
            }));
            Assert.That(logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message), Is.EqualTo(new[]
            {
                $"STORE CORRUPT: {Described}. The worker is paused on the batch in hand (attempt 2); it resumes once the store is restored",
                $"STORE CORRUPT: {Described}. The worker is paused on the batch in hand (attempt 3); it resumes once the store is restored",
            }));
        });
    }

    [Test]
    public void Any_other_busy_store_is_still_an_ordinary_retry_without_the_restore_advice()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FailureClassifier.Describe(new SqliteException("database is locked", 5)), Is.EqualTo("database is locked"));
            Assert.That(FailureClassifier.IsCorrupt(new SqliteException("database is locked", 5)), Is.False);
            Assert.That(FailureClassifier.IsCorrupt(new StoreUnavailableException("probe", new SqliteException("malformed", 11 | (1 << 8)))), Is.True, "SQLITE_CORRUPT_VTAB, wrapped by the guard");
        });
    }

    /// <summary>
    /// Damages a real store as a failing disk would: the header page is kept (so it is still a SQLite file), every page
    /// after it is overwritten. Pooled connections are closed first so the write-ahead log is checkpointed into the file.
    /// </summary>
    private static void Corrupt(string database)
    {
        SqliteConnection.ClearAllPools();
        Assert.That(File.Exists(database + "-wal") && new FileInfo(database + "-wal").Length > 0, Is.False, "the log was checkpointed");
        using var file = new FileStream(database, FileMode.Open, FileAccess.ReadWrite);
        var pageSize = 4096;
        file.Position = pageSize;
        var garbage = new byte[file.Length - pageSize];
        new Random(11).NextBytes(garbage);
        file.Write(garbage);
    }
}
