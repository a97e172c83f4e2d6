using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Storage.Access;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Markers;
using AnprWatch.Storage.Migrations;
using AnprWatch.Storage.Notifications;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace AnprWatch.Storage.Tests.SqlServer;

/// <summary>
/// SQL Server cannot run here, so every statement the application can send it is checked without one: the stores
/// run their real code over the production SQL Server dialect with a capturing connection, at the largest batch size
/// serve allows, and each captured statement must parse with the SQL Server 2022 grammar and stay within SQL Server's
/// 2,100 parameters per request.
/// </summary>
[NonParallelizable]
public class SqlServerStatementTests
{
    /// <summary>serve's largest Kafka:BatchSize (ServeOptions): the most hits one batch can store at once.</summary>
    private const int LargestBatch = 100_000;

    /// <summary>SQL Server's limit on parameters in one request.</summary>
    private const int MaxParameters = 2100;

    private static readonly Force Avon = ForceRegistry.Get("avon-and-somerset");
    private static readonly Force Wiltshire = ForceRegistry.Get("wiltshire");

    private static IReadOnlyList<CapturedStatement> _statements = [];

    private static readonly Lazy<Task<IReadOnlyList<CapturedStatement>>> Captured = new(CaptureAsync);

    /// <summary>Every distinct statement the stores send, captured once per test run (shared with other SQL Server tests).</summary>
    public static Task<IReadOnlyList<CapturedStatement>> CapturedAsync() => Captured.Value;

    [OneTimeSetUp]
    public static async Task CaptureEveryStatement() => _statements = await CapturedAsync();

    private static async Task<IReadOnlyList<CapturedStatement>> CaptureAsync()
    {
        var dialect = new CapturingSqlServerDialect();
        var database = new Database(dialect);
        var clock = new MutableClock(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var audit = new AuditLog(database);
        var markers = new MarkerListStore(database, audit, clock);
        var hits = new HitStore(database);
        var outcomes = new OutcomeStore(database, audit, clock);
        var keys = new ApiKeyStore(database, audit, clock);
        var from = clock.Now.AddDays(-30);

        await new MigrationRunner(database, clock).MigrateAsync();
        await database.IsReachableAsync(CancellationToken.None);
        dialect.ScalarAnswer = 999L; // the journal's newest version: a schema new enough
        await new MigrationRunner(database, clock).EnsureReadyAsync(createIfMissing: false);
        dialect.ScalarAnswer = 1L;
        await database.ReadStoreIdAsync(CancellationToken.None);
        await database.HitExistsAsync("hit-1", CancellationToken.None);

        await audit.AppendAsync(new AuditEntry(clock.Now, "tester", "admin", AuditActions.Consult, "subject", "why", "detail"));
        await audit.ListAsync(from, clock.Now);
        await audit.VerifyAsync();

        var marker = new Marker("AB12CDE", "SR-1", RiskLevel.High, Avon, new DateOnly(2027, 1, 1), new DateOnly(2027, 6, 1), "OP", "act", "desk", "ACT");
        await markers.ReplaceAsync(Avon, [marker], "tester", "bureau", new string('a', 64), MarkerListDiff.Compute([], [marker]), "import");
        await markers.GetGenerationAsync();
        await markers.GetActiveVersionAsync(Avon.Code);
        await markers.GetActiveMarkersAsync();
        await markers.GetActiveMarkersAsync(Avon.Code);
        await foreach (var _ in markers.StreamActiveMarkersAsync())
        {
        }

        await foreach (var _ in markers.StreamActiveMarkersAsync(Avon.Code))
        {
        }

        await markers.FindActiveMarkersAsync(Avon.Code, new DateOnly(2026, 7, 1), "AB12CDE");
        await markers.ReviewDueCountsAsync(new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 15));
        await markers.GetVersionMarkersAsync(Avon.Code, 1);
        await markers.VersionsContainingAsync("AB12CDE");
        await markers.HistoryAsync();
        await markers.HistoryAsync(Avon.Code);

        var locations = new AnprWatch.Storage.Locations.LocationListStore(database, audit, clock);
        var place = new AnprWatch.Core.Locations.Location("LOC-1", "Car park", 51.45, -2.59, 250, RiskLevel.High, Avon, new DateOnly(2027, 1, 1), null, "notes");
        await locations.ReplaceAsync(Avon, [place], "tester", "bureau", new string('a', 64), AnprWatch.Core.Locations.LocationListDiff.Compute([], [place]), "import");
        await locations.GetGenerationAsync();
        await locations.GetActiveAsync();
        await locations.GetActiveAsync(Avon.Code);
        await locations.GetVersionAsync(Avon.Code, 1);
        await locations.HistoryAsync(Avon.Code);

        var batch = Enumerable.Range(0, LargestBatch).Select(i => Hit($"read-{i}", marker, clock.Now)).ToList();
        try
        {
            await hits.SaveHitsAsync(batch, CancellationToken.None);
        }
        catch (KeyNotFoundException)
        {
            // Expected: the capture answers the read-back with no rows; both statements were captured before it.
        }

        await hits.MarkAlertsDeliveredAsync([.. batch.Select(h => h.HitId)], clock.Now, CancellationToken.None);
        await hits.LastAlertedAsync(marker.MarkerId, Wiltshire.Code, from, clock.Now, batch[0].HitId, CancellationToken.None);
        await hits.LastAlertedHitAsync(marker.MarkerId, Wiltshire.Code, from, clock.Now, batch[0].HitId, CancellationToken.None);
        await hits.LatestSightingsAsync([.. Enumerable.Range(0, 2500).Select(i => $"m-{i}")], from, clock.Now, CancellationToken.None);
        await hits.UndeliveredConfirmationsAsync([.. batch.Take(2500).Select(h => h.HitId)], CancellationToken.None);
        await hits.MarkConfirmationsDeliveredAsync([.. batch.Take(2500).Select(h => h.HitId)], clock.Now, CancellationToken.None);
        try
        {
            // Clone flags and confirmations are written with their hits, one JSON parameter per chunk like the hits.
            await hits.SaveHitsAsync([.. batch.Take(2500).Select((h, i) => h with { PossibleClone = true, CloneOfHitId = i % 2 == 0 ? null : batch[0].HitId, ConfirmsHitId = batch[^1].HitId })], CancellationToken.None);
        }
        catch (KeyNotFoundException)
        {
            // As above: the capture answers the read-back with no rows.
        }

        await hits.AlertedHitsAsync([marker.MarkerId], from, clock.Now, CancellationToken.None);
        await hits.PurgeAsync(from, "system", audit, clock);
        await new AnprWatch.Storage.Housekeeping.HousekeepingRuns(database).TryClaimAsync("retention-purge", new DateOnly(2026, 6, 1), "pod-a", clock.Now);
        await hits.AlertedAfterAsync(0, "", null, 500);
        await hits.AlertedAfterAsync(0, "", Wiltshire.Code, 500);
        await hits.AlertedAfterAsync(0, "", null, 500, routedTo: [Wiltshire.Code, "dorset"]);
        await hits.RoutingOfAsync("h-1");
        await hits.QueryAsync(new HitQuery(from, clock.Now));
        await hits.QueryAsync(new HitQuery(from, clock.Now, Wiltshire.Code, "AB12CDE", [.. ForceRegistry.All.Select(f => f.Code)]));
        await hits.QueryAsync(new HitQuery(from, clock.Now, RoutedTo: [Wiltshire.Code]));

        // The notification outbox: queued inside the hit transaction, claimed, settled, listed, counted and purged.
        var outbox = new OutboxStore(database);
        await using (var connection = await database.OpenAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await outbox.EnqueueAsync(connection, transaction,
                [new OutboxEntry(batch[0].AlertId, batch[0].HitId, "webhook", "https://receiver.example/hook", "urgent", "{}"),
                 new OutboxEntry(batch[0].AlertId, batch[0].HitId, "webhook", "https://receiver.example/hook", "urgent", "{}", Confirmation: true)], clock.Now, CancellationToken.None);
        }

        await outbox.ClaimDueAsync("d-owner", clock.Now, clock.Now.AddMinutes(2), 16);
        await outbox.MarkDeliveredAsync("delivery", "d-owner", clock.Now);
        await outbox.MarkFailedAsync("delivery", "d-owner", clock.Now.AddSeconds(5), "HttpRequestException: refused");
        await outbox.ListAsync("pending", 500);
        await outbox.ListAsync("failed", 500);
        try
        {
            await outbox.CountAsync();
        }
        catch (InvalidOperationException)
        {
            // Expected: the capture answers the count with no row; the statement was captured before it.
        }

        await outbox.PurgeAsync(clock.Now.AddDays(-7), from);

        await outcomes.ForHitsObservedAsync(from, clock.Now);
        await outcomes.RecordAsync(batch[0].HitId, "false-hit", "misread", "note", "desk", "control-room");
        await outcomes.HistoryAsync([batch[0].HitId, batch[1].HitId]);
        await outcomes.RecordedSinceAsync(from, 1000);

        dialect.ScalarAnswer = 0L; // no key of that name yet
        await keys.CreateAsync("ops-desk-1", "control-room", "admin");
        await keys.CreateAsync("ops-desk-2", "control-room", KeyScope.Resolve(["wiltshire"], "London"), "admin");
        await keys.TouchAsync("ops-desk-2");
        dialect.ScalarAnswer = 1L;
        await keys.RevokeAsync("ops-desk-1", "admin");
        await keys.FindAsync(ApiKeyStore.Prefix + "x");
        await keys.ListAsync();
        await keys.IsLiveAsync("ops-desk-1");
        var session = await keys.StartSessionAsync("ops-desk-1");
        await keys.IsSessionLiveAsync(session, "ops-desk-1");
        await keys.EndSessionAsync(session);
        var ring = new DataProtectionKeyStore(database, clock);
        ring.Add("key-1", "<key id=\"1\" />");
        _ = ring.All();

        return dialect.Statements;
    }

    public static IEnumerable<TestCaseData> MigrationScripts()
        => Directory.GetFiles(Path.Combine(RepositoryRoot(), "deploy", "sql"), "*.sql", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => new TestCaseData(path).SetArgDisplayNames(Path.GetRelativePath(RepositoryRoot(), path)));

    /// <summary>
    /// Issue 18, statically for SQL Server: every statement the storing path sends for a 20,000-read batch with 2,500
    /// hits (1,250 markers, 250 possible clones, 1,000 confirmations, 1,250 notifications), as sent, each parsed by
    /// ScriptDom, counted with the transaction's begin and commit. Oracle: the capture's own count of executions; the
    /// bound is the issue's 10. The capture answers queries with no rows, so the outbox (planned from the read-back)
    /// is queued by hand as <see cref="HitStore.SaveHitsAsync"/> would, inside its transaction.
    /// </summary>
    [Test]
    public async Task A_batch_of_2500_hits_costs_at_most_10_round_trips()
    {
        var dialect = new CapturingSqlServerDialect();
        var database = new Database(dialect);
        var hits = new HitStore(database);
        var now = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var markers = Enumerable.Range(0, 1250).Select(j => new Marker($"AB{j:0000}X", $"SR-{j}", RiskLevel.High, Avon, new DateOnly(2027, 1, 1), null, "OP", "act", "desk", "ACT")).ToList();
        var batch = Enumerable.Range(0, 2500).Select(i => Hit($"read-{i}", markers[i / 2], now.AddSeconds(i)) switch
        {
            var h when i >= 2000 && i % 2 == 1 => h with { PossibleClone = true, CloneOfHitId = HitIds.ForHit($"read-{i - 1}", markers[i / 2].MarkerId) },
            var h when i < 2000 && i % 2 == 1 => h with { NotAlertedReason = NotAlertedReason.Suppressed, ConfirmsHitId = HitIds.ForHit($"read-{i - 1}", markers[i / 2].MarkerId) },
            var h => h,
        }).ToList();
        var markerIds = markers.Select(m => m.MarkerId).ToList();

        var before = dialect.Executed.Count;
        await hits.LatestSightingsAsync(markerIds, now.AddHours(-2), now.AddHours(3), CancellationToken.None);
        await hits.AlertedHitsAsync(markerIds, now.AddMinutes(-15), now.AddHours(1), CancellationToken.None);
        try
        {
            await hits.SaveHitsAsync(batch, CancellationToken.None);
        }
        catch (KeyNotFoundException)
        {
            // Expected: the capture answers the read-back with no rows, after every statement was sent.
        }

        await using (var connection = await database.OpenAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await new OutboxStore(database).EnqueueAsync(connection, transaction,
                [.. batch.Where(h => h.Alerted).Select(h => new OutboxEntry(h.AlertId, h.HitId, "webhook", "https://receiver.example/hook", "urgent", "{}"))], now, CancellationToken.None);
        }

        var sent = dialect.Executed.Skip(before).ToList();
        const int transactionRequests = 2; // SaveHitsAsync's BEGIN TRANSACTION and COMMIT, each a request of its own
        var listing = string.Join("\n", sent.Select(Abbreviate));
        TestContext.Out.WriteLine($"{sent.Count} statements + {transactionRequests} transaction requests:\n{listing}");
        Assert.Multiple(() =>
        {
            Assert.That(sent.Select(ParseErrors).SelectMany(e => e), Is.Empty, listing);
            Assert.That(sent, Has.Count.EqualTo(7), "sightings, suppression, clone flags, hits, confirmations, read-back, outbox: one each\n" + listing);
            Assert.That(sent.Count + transactionRequests, Is.LessThanOrEqualTo(10), listing);
        });

        var marking = dialect.Executed.Count;
        await hits.MarkAlertsDeliveredAsync([.. batch.Select(h => h.HitId)], now, CancellationToken.None);
        await hits.UndeliveredConfirmationsAsync([.. batch.Select(h => h.ConfirmsHitId).OfType<string>()], CancellationToken.None);
        await hits.MarkConfirmationsDeliveredAsync([.. batch.Select(h => h.ConfirmsHitId).OfType<string>()], now, CancellationToken.None);
        Assert.That(dialect.Executed.Count - marking, Is.EqualTo(3), "recording delivery: one statement each");
    }

    /// <summary>
    /// Issue 18: a marker import on SQL Server is a bulk copy into a staging table and one set-based insert, whatever the
    /// list's size. Oracle: the capture's executions and bulk copies for 100,000 markers; the staging table's columns
    /// and types are those of dbo.markers (but list_id) as the migrations create it, both parsed by ScriptDom.
    /// </summary>
    [Test]
    public async Task A_marker_import_is_one_bulk_copy_and_a_set_based_insert()
    {
        var dialect = new CapturingSqlServerDialect();
        var database = new Database(dialect);
        var clock = new MutableClock(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var store = new MarkerListStore(database, new AuditLog(database), clock);
        var markers = Enumerable.Range(0, 100_000).Select(j => new Marker($"AB{j:00000}", $"SR-{j}", RiskLevel.High, Avon, new DateOnly(2027, 1, 1), null, "OP", "act", "desk", "ACT")).ToList();

        dialect.ScalarAnswer = 1L;
        await store.ReplaceAsync(Avon, markers, "tester", "bureau", new string('a', 64), MarkerListDiff.Compute([], markers), "import");

        var sent = dialect.Executed;
        var listing = string.Join("\n", sent.Select(Abbreviate));
        TestContext.Out.WriteLine($"{sent.Count} statements, {dialect.BulkCopies.Count} bulk copy:\n{listing}");
        Assert.Multiple(() =>
        {
            Assert.That(dialect.BulkCopies.Select(b => (b.Table, b.Rows)), Is.EqualTo(new[] { ("#markers_import", 100_000) }));
            Assert.That(sent.Select(ParseErrors).SelectMany(e => e), Is.Empty, listing);
            Assert.That(sent, Has.Count.LessThanOrEqualTo(8), "version reads, deactivate, list row, staging, insert, audit (2)\n" + listing);
            Assert.That(sent.Count(s => s.Contains("INSERT INTO dbo.markers", StringComparison.Ordinal)), Is.EqualTo(1), listing);
        });

        var staging = TableColumns(MarkerListStore.SqlServerStagingTable);
        var markersTable = TableColumns(File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "sql", "migrations", "0001_initial.sql")), "markers");
        // 0260 adds the one column markers gained since 0001 (the file's review date where a later one was kept).
        Assert.That(File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "sql", "migrations", "0260_marker_imported_review_due.sql")), Does.Contain("ALTER TABLE dbo.markers ADD imported_review_due CHAR(10) NULL"));
        Assert.That(staging, Is.EqualTo(markersTable.Where(c => c != "list_id BIGINT").Append("imported_review_due CHAR(10)")));
        Assert.That(dialect.BulkCopies[0].Columns, Is.EqualTo(staging.Select(c => c.Split(' ')[0])));
    }

    /// <summary>"name TYPE(size)" of each column of a CREATE TABLE in <paramref name="script"/> (the one named <paramref name="table"/>, or the only one).</summary>
    private static List<string> TableColumns(string script, string? table = null)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(script);
        var fragment = parser.Parse(reader, out var errors);
        Assert.That(errors, Is.Empty);
        var visitor = new CreateTables();
        fragment.Accept(visitor);
        var create = visitor.Found.Single(t => table is null || t.SchemaObjectName.BaseIdentifier.Value == table);
        return [.. create.Definition.ColumnDefinitions.Select(c =>
        {
            var type = (SqlDataTypeReference)c.DataType;
            var size = type.Parameters.Count == 0 ? "" : $"({string.Join(", ", type.Parameters.Select(p => p.Value.ToUpperInvariant()))})";
            return $"{c.ColumnIdentifier.Value} {type.SqlDataTypeOption.ToString().ToUpperInvariant()}{size}";
        })];
    }

    private sealed class CreateTables : TSqlFragmentVisitor
    {
        public List<CreateTableStatement> Found { get; } = [];

        public override void Visit(CreateTableStatement node) => Found.Add(node);
    }

    [TestCaseSource(nameof(MigrationScripts))]
    public void Every_script_in_deploy_sql_parses_whole(string path)
        => Assert.That(ParseErrors(File.ReadAllText(path)), Is.Empty, path);

    [Test]
    public void The_capture_reached_every_store_and_every_migration_batch()
    {
        var migrationBatches = Directory.GetFiles(Path.Combine(RepositoryRoot(), "deploy", "sql", "migrations"), "*.sql")
            .Sum(f => new Dialects.SqlServerDialect("").SplitScript(File.ReadAllText(f)).Count());
        foreach (var table in new[] { "dbo.hits", "dbo.markers", "dbo.marker_lists", "dbo.outcomes", "dbo.audit_log", "dbo.api_keys", "dbo.schema_migrations", "dbo.store_identity", "dbo.notify_outbox", "sys.tables" })
        {
            Assert.That(_statements.Where(s => s.Sql.Contains(table, StringComparison.Ordinal)), Is.Not.Empty, table);
        }

        Assert.That(_statements, Has.Count.GreaterThan(migrationBatches + 30));
    }

    [Test]
    public void Every_statement_the_application_sends_parses_as_sql_server_2022()
    {
        var failures = _statements
            .Select(s => (s.Sql, Errors: ParseErrors(s.Sql)))
            .Where(p => p.Errors.Count > 0)
            .Select(p => $"{Abbreviate(p.Sql)}\n    {string.Join("\n    ", p.Errors)}")
            .ToList();
        Assert.That(failures, Is.Empty, string.Join("\n\n", failures));
    }

    [TestCase("SELECT hit_id FROM hits ORDER BY hit_id LIMIT 5")]
    [TestCase("INSERT OR IGNORE INTO hits (hit_id) VALUES (@id)")]
    [TestCase("SELECT TOP (1) FROM dbo.hits")]
    public void The_check_has_teeth_sqlite_only_or_broken_sql_is_refused(string sql)
        => Assert.That(ParseErrors(sql), Is.Not.Empty);

    [Test]
    public void Every_statement_at_the_largest_batch_stays_within_2100_parameters()
    {
        var over = _statements.Where(s => s.ParameterCount > MaxParameters).Select(s => $"{s.ParameterCount} parameters: {Abbreviate(s.Sql)}").ToList();
        Assert.That(over, Is.Empty, string.Join("\n", over));
    }

    public static List<string> ParseErrors(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        parser.Parse(reader, out var errors);
        return [.. errors.Select(e => $"line {e.Line}, column {e.Column}: {e.Message}")];
    }

    private static string Abbreviate(string sql) => sql.Length <= 400 ? sql : sql[..400] + $" … ({sql.Length} characters)";

    private static Hit Hit(string readId, Marker marker, DateTimeOffset observedAt)
    {
        var hitId = HitIds.ForHit(readId, marker.MarkerId);
        return new Hit
        {
            HitId = hitId, AlertId = HitIds.ForAlert(hitId), ReadId = readId, MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm,
            MatchKind = MatchKind.Exact, ObservedAt = observedAt, CameraId = "CAM", Site = "A4", Lat = 51.4, Lon = -2.5, CameraForce = Wiltshire,
            HostForce = marker.HostForce, Risk = marker.Risk, Priority = Priority.High, SuspectRef = marker.SuspectRef, ReviewOverdue = false,
            Operation = marker.Operation, Action = marker.Action, Contact = marker.Contact,
            InForce = false, NotAlertedReason = NotAlertedReason.None, RecordedAt = observedAt.AddSeconds(1),
        };
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AnprWatch.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
