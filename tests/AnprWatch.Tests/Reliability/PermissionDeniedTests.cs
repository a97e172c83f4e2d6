using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using AnprWatch.Cli;
using AnprWatch.Core.Markers;
using AnprWatch.Hosting;
using AnprWatch.Storage;
using AnprWatch.Storage.Dialects;
using AnprWatch.Web.Health;
using AnprWatch.Worker;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Tests.Reliability;

/// <summary>
/// SQL Server refusing the app's login a permission (229, 230, 262, 300) after an upgrade whose deploy/sql/logins.sql
/// grants were not applied. No retry cures it, so every command exits 2 with the fix, and serve's probes (store guard,
/// marker reloader) say it on /readyz and in a Critical log line instead of pausing without a word. The exceptions are
/// real <see cref="Microsoft.Data.SqlClient.SqlException"/>s built the way SqlClient builds them (<see cref="SqlErrors"/>).
/// </summary>
public class PermissionDeniedTests
{
    private const string SelectDenied = "The SELECT permission was denied on the object 'store_identity', database 'anprwatch', schema 'dbo'.";
    private const string MarkersDenied = "The SELECT permission was denied on the object 'marker_lists', database 'anprwatch', schema 'dbo'.";

    [TestCase(229, "The SELECT permission was denied on the object 'hits', database 'anprwatch', schema 'dbo'.")]
    [TestCase(230, "The SELECT permission was denied on the column 'review_date' of the object 'markers', database 'anprwatch', schema 'dbo'.")]
    [TestCase(262, "CREATE TABLE permission denied in database 'anprwatch'.")]
    [TestCase(300, "VIEW SERVER STATE permission was denied on object 'server', database 'master'.")]
    public async Task A_permission_refused_at_start_up_exits_2_telling_the_operator_to_rerun_logins_sql(int number, string message)
    {
        var (code, err) = await GuardAsync(SqlErrors.Create(number, message));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err, Is.EqualTo($"error: the store refused this login a permission ({message}): re-run deploy/sql/logins.sql for this version (as a DBA), then start serve again\n"));
        });
    }

    [Test]
    public async Task A_permission_refusal_wrapped_by_the_store_guard_still_exits_2_with_the_fix()
    {
        var (code, err) = await GuardAsync(new StoreUnavailableException("probe failed", SqlErrors.Create(229, SelectDenied)));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err, Does.StartWith($"error: the store refused this login a permission ({SelectDenied}): re-run deploy/sql/logins.sql"));
        });
    }

    [Test]
    public async Task Any_other_sql_server_error_at_start_up_is_still_a_failure_exit_1_without_the_logins_advice()
    {
        const string Deadlock = "Transaction (Process ID 52) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.";
        var (code, err) = await GuardAsync(SqlErrors.Create(1205, Deadlock));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(err, Is.EqualTo($"error: the store failed: {Deadlock}\n"));
        });
    }

    [Test]
    public async Task A_store_probe_refused_a_permission_makes_readyz_503_naming_logins_sql_and_logs_it_critically()
    {
        using var cli = new CliRunner();
        var (services, dialect) = Services(cli);
        dialect.DenyProbe = SqlErrors.Create(229, SelectDenied);
        var logs = new Logs<StoreGuard>();
        var guard = new StoreGuard(services.GetRequiredService<AppServices>(), logs);

        var body = await ReadinessAsync(services, guard, new Readiness());

        const string Expected = $"the store refused this login a permission ({SelectDenied}): re-run deploy/sql/logins.sql for this version (as a DBA), then start serve again";
        Assert.Multiple(() =>
        {
            Assert.That(body.Ready, Is.False);
            Assert.That(body.Json["store"]!.GetValue<string>(), Is.EqualTo("unreachable"));
            Assert.That(body.Json["storeProblem"]!.GetValue<string>(), Is.EqualTo(Expected));
            Assert.That(logs.Entries, Does.Contain((LogLevel.Critical, $"STORE UNAVAILABLE: {Expected}. The worker is paused: no hit is stored, no alert sent and no offset moves until the store serve started with is back; /readyz answers 503")));
        });
    }

    [Test]
    public async Task A_marker_reload_refused_a_permission_makes_readyz_503_naming_logins_sql_until_the_grant_is_fixed()
    {
        using var cli = new CliRunner();
        var (services, dialect) = Services(cli);
        dialect.DenyConnections = SqlErrors.Create(229, MarkersDenied);
        var app = services.GetRequiredService<AppServices>();
        var guard = new StoreGuard(app, new Logs<StoreGuard>());
        var readiness = new Readiness();
        var holder = new MarkerIndexHolder();
        var logs = new Logs<MarkerReloader>();
        var reloader = new MarkerReloader(app, holder, services.GetRequiredService<ServeOptions>(), guard, readiness, logs);

        await reloader.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilAsync(() => readiness.IndexProblem is not null);
            var refused = await ReadinessAsync(services, guard, readiness, holder);

            const string Expected = $"the marker index cannot be reloaded: the store refused this login a permission ({MarkersDenied}): re-run deploy/sql/logins.sql for this version (as a DBA), then start serve again";
            Assert.Multiple(() =>
            {
                Assert.That(refused.Ready, Is.False);
                Assert.That(refused.Json["index"]!.GetValue<string>(), Is.EqualTo(Expected));
                Assert.That(refused.Json["store"]!.GetValue<string>(), Is.EqualTo("reachable"), "the store answers: only the grant is missing");
                Assert.That(logs.Entries.Count(e => e.Level == LogLevel.Critical), Is.EqualTo(1), "said loudly once, not once a tick");
                Assert.That(logs.Entries, Does.Contain((LogLevel.Critical, $"MARKER RELOAD REFUSED: {Expected}. Matching goes on with the current index (or none); /readyz answers 503 until the grant is fixed")));
            });

            // The DBA applies logins.sql: the next tick loads the index and the refusal is no longer reported.
            dialect.DenyConnections = null;
            await WaitUntilAsync(() => readiness.IndexProblem is null && holder.IsLoaded);
            var fixedBody = await ReadinessAsync(services, guard, readiness, holder);
            Assert.That(fixedBody.Json["index"]!.GetValue<string>(), Does.Not.Contain("logins.sql"));
        }
        finally
        {
            await reloader.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task A_location_reload_refused_a_permission_makes_readyz_503_naming_logins_sql_until_the_grant_is_fixed()
    {
        // The location reloader caught a refusal as an ordinary failure: a Warning every tick for ever, /readyz 200, and
        // flagged locations never raising a hit, after an upgrade whose logins.sql (the locations tables) was not applied.
        const string LocationsDenied = "The SELECT permission was denied on the object 'location_lists', database 'anprwatch', schema 'dbo'.";
        using var cli = new CliRunner();
        var (services, dialect) = Services(cli);
        dialect.DenyConnections = SqlErrors.Create(229, LocationsDenied);
        var app = services.GetRequiredService<AppServices>();
        var guard = new StoreGuard(app, new Logs<StoreGuard>());
        var readiness = new Readiness();
        var holder = new AnprWatch.Core.Locations.LocationIndexHolder();
        var logs = new Logs<LocationReloader>();
        var reloader = new LocationReloader(app, holder, services.GetRequiredService<ServeOptions>(), guard, readiness, logs);

        await reloader.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilAsync(() => readiness.LocationProblem is not null);
            var refused = await ReadinessAsync(services, guard, readiness);

            const string Expected = $"the location index cannot be reloaded: the store refused this login a permission ({LocationsDenied}): re-run deploy/sql/logins.sql for this version (as a DBA), then start serve again";
            Assert.Multiple(() =>
            {
                Assert.That(refused.Ready, Is.False);
                Assert.That(refused.Json["index"]!.GetValue<string>(), Is.EqualTo(Expected));
                Assert.That(logs.Entries.Count(e => e.Level == LogLevel.Critical), Is.EqualTo(1), "said loudly once, not once a tick");
            });

            dialect.DenyConnections = null;
            await WaitUntilAsync(() => readiness.LocationProblem is null && holder.IsLoaded);
        }
        finally
        {
            await reloader.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<(int Code, string Err)> GuardAsync(Exception thrown)
    {
        using var output = new StringWriter();
        using var error = new StringWriter { NewLine = "\n" };
        var context = new CliContext(output, error, TimeProvider.System, () => Configuration("Data Source=:memory:"));
        var run = CliApp.Guard(context, (_, _) => Task.FromException<int>(thrown));
        var code = await run(null!, CancellationToken.None);
        return (code, error.ToString());
    }

    private static IConfigurationRoot Configuration(string connectionString)
        => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = connectionString,
            ["Source:ReloadInterval"] = "00:00:00.200",
        }).Build();

    /// <summary>serve's services on a real SQLite store, behind a dialect that can refuse like SQL Server does.</summary>
    private static (ServiceProvider Services, DenyingDialect Dialect) Services(CliRunner cli)
    {
        var configuration = Configuration($"Data Source={cli.Database}");
        var dialect = new DenyingDialect(new SqliteDialect($"Data Source={cli.Database}"));
        var services = new ServiceCollection().AddAnprWatchCore(configuration, TimeProvider.System);
        services.AddSingleton(new Database(dialect));
        services.AddSingleton(ServeOptions.Load(configuration));
        return (services.BuildServiceProvider(), dialect);
    }

    private static async Task<(bool Ready, JsonNode Json)> ReadinessAsync(IServiceProvider services, StoreGuard guard, Readiness readiness, MarkerIndexHolder? holder = null)
    {
        var check = new ReadinessCheck(guard, holder ?? new MarkerIndexHolder(), readiness,
            services.GetRequiredService<ServeOptions>(), TimeProvider.System, new AnprWatch.Notifications.NotificationStatus(AnprWatch.Notifications.NotifyOptions.None), new AnprWatch.Board.BoardFeed());
        var result = await check.CheckHealthAsync(new HealthCheckContext());
        return (result.Status == HealthStatus.Healthy, JsonNode.Parse(JsonSerializer.Serialize(result.Data[ReadinessCheck.Body]))!);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the condition did not hold within 20 s");
            await Task.Delay(50);
        }
    }

    /// <summary>The real SQLite dialect, except that opening a connection can throw what SQL Server throws on a missing grant.</summary>
    private sealed class DenyingDialect(SqliteDialect inner) : SqlDialect
    {
        /// <summary>Thrown by the store guard's fresh probe connections.</summary>
        public volatile Exception? DenyProbe;

        /// <summary>Thrown by every other connection (stores, marker reloads).</summary>
        public volatile Exception? DenyConnections;

        public override string Name => inner.Name;

        public override DbConnection CreateConnection() => new Denied(inner.CreateConnection().ConnectionString, () => DenyConnections);

        public override DbConnection CreateProbeConnection() => new Denied(inner.CreateProbeConnection().ConnectionString, () => DenyProbe);

        public override string Describe() => inner.Describe();

        public override string? MissingStoreReason() => inner.MissingStoreReason();

        public override void ClearPools() => inner.ClearPools();

        public override Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => inner.PrepareAsync(connection, cancellationToken);

        public override IEnumerable<string> SplitScript(string script) => inner.SplitScript(script);

        public override string MigrationsTableDdl => inner.MigrationsTableDdl;

        public override string InsertHitsFromJson(IReadOnlyList<(string Column, string Property, string SqlServerType)> columns) => inner.InsertHitsFromJson(columns);

        public override string LastInsertId => inner.LastInsertId;

        public override string TableExistsQuery => inner.TableExistsQuery;

        public override string Top1(string selectList, string rest) => inner.Top1(selectList, rest);

        public override string PrefixTableName(string table) => inner.PrefixTableName(table);
    }

    private sealed class Denied(string connectionString, Func<Exception?> denial) : SqliteConnection(connectionString)
    {
        public override void Open()
        {
            if (denial() is { } refused)
            {
                throw refused;
            }

            base.Open();
        }

        public override Task OpenAsync(CancellationToken cancellationToken)
        {
            Open();
            return Task.CompletedTask;
        }
    }
}
