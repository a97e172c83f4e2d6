using AnprWatch.Core.Hits;
using AnprWatch.Notifications;
using AnprWatch.Storage;
using AnprWatch.Storage.Dialects;
using AnprWatch.Storage.Notifications;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AnprWatch.Tests.Notifications;

/// <summary>
/// The dispatcher and the outbox on a real SQLite store, a real HTTP receiver and a fake clock: retries back off
/// exponentially with jitter inside the bounds of a literal table, nothing is dropped, and two instances sharing a
/// store never hold one row at the same time.
/// </summary>
public class OutboxDispatchTests
{
    private const string Secret = "dispatch-test-secret";
    private static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static NotifyOptions Options(WebhookReceiver receiver) => new()
    {
        Webhooks = [new WebhookSubscription(new Uri(receiver.Url("hook")), Secret, new Subscription(new HashSet<string>(), Priority.Routine))],
        RetryBaseDelay = TimeSpan.FromSeconds(10),
        RetryMaxDelay = TimeSpan.FromSeconds(60),
        Lease = TimeSpan.FromMinutes(2),
    };

    private static async Task<List<Hit>> StoreHitsAsync(CliRunner cli, NotifyOptions options, int count)
    {
        var planner = new NotificationPlanner(options);
        var hits = new List<Hit>();
        for (var i = 0; i < count; i++)
        {
            hits.Add(await TestHits.StoreAsync(cli, $"dispatch-{i}", observedAt: Start.AddMinutes(-i), outbox: planner));
        }

        return hits;
    }

    private static OutboxStore Store(CliRunner cli) => new(new Database(new SqliteDialect($"Data Source={cli.Database}")));

    [Test]
    public async Task Failed_sends_back_off_within_the_table_and_every_row_is_delivered_once_the_receiver_accepts()
    {
        // (failed attempts so far, earliest and latest next attempt after the failure, in seconds) for a 10 s base and
        // a 60 s cap: 10·2^(n-1) × [0.75, 1.25), never past the cap.
        (int Attempts, double Min, double Max)[] table = [(1, 7.5, 12.5), (2, 15, 25), (3, 30, 50), (4, 45, 60), (5, 45, 60)];

        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var cli = new CliRunner(clock: new FakeTimeProvider(Start));
        var options = Options(receiver);
        var hits = await StoreHitsAsync(cli, options, 3);
        var clock = new FakeTimeProvider(Start);
        using var http = new HttpClient();
        var dispatcher = new NotificationDispatcher(Store(cli), options, [new WebhookChannel(options, http)], new NotificationStatus(options), clock, NullLogger<NotificationDispatcher>.Instance);

        // The metrics an operator watches, counted as they are recorded (the suite's tests run one at a time).
        var counted = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name is "anprwatch.notify.failures" or "anprwatch.notify.delivered")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => counted.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.Start();

        receiver.Answer = () => 503;
        foreach (var (attempts, min, max) in table)
        {
            var failedAt = clock.GetUtcNow();
            Assert.That(await dispatcher.DispatchDueAsync(CancellationToken.None), Is.EqualTo(3), $"attempt {attempts}: every row is due");
            Assert.That(await dispatcher.DispatchDueAsync(CancellationToken.None), Is.Zero, $"attempt {attempts}: nothing is due again at once");

            var next = (await cli.ColumnAsync($"SELECT next_attempt_at_ms FROM notify_outbox WHERE attempts = {attempts}")).Select(long.Parse).ToList();
            Assert.That(next, Has.Count.EqualTo(3), $"attempt {attempts} recorded on every row");
            foreach (var at in next)
            {
                var wait = (DateTimeOffset.FromUnixTimeMilliseconds(at) - failedAt).TotalSeconds;
                Assert.That(wait, Is.InRange(min, max), $"attempt {attempts}: the next try waits {wait} s");
            }

            Assert.That(await cli.ColumnAsync("SELECT DISTINCT last_error FROM notify_outbox"), Has.All.Contain("503"));
            clock.Advance(TimeSpan.FromSeconds(max));
        }

        receiver.Answer = () => 200;
        Assert.That(await dispatcher.DispatchDueAsync(CancellationToken.None), Is.EqualTo(3));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.That(await dispatcher.DispatchDueAsync(CancellationToken.None), Is.Zero, "a delivered row is never sent again");

        Assert.Multiple(() =>
        {
            Assert.That(receiver.Calls, Has.Count.EqualTo(3 * (table.Length + 1)));
            Assert.That(receiver.Calls.All(c => c.SignatureValid), Is.True, "every attempt is signed");
            Assert.That(receiver.Accepted.Select(c => System.Text.Json.Nodes.JsonNode.Parse(c.Body)!["alertId"]!.GetValue<string>()),
                Is.EquivalentTo(hits.Select(h => h.AlertId)), "each alert accepted exactly once");

            // Every attempt for one alert carries one delivery id, so the receiver can tell a repeat from a new alert.
            var idsPerAlert = receiver.Calls.GroupBy(c => System.Text.Json.Nodes.JsonNode.Parse(c.Body)!["alertId"]!.GetValue<string>())
                .Select(g => g.Select(c => c.DeliveryId).Distinct().Count());
            Assert.That(idsPerAlert, Has.All.EqualTo(1));
            Assert.That(counted.GetValueOrDefault("anprwatch.notify.failures"), Is.EqualTo(3 * table.Length), "one failure counted per refused attempt");
            Assert.That(counted.GetValueOrDefault("anprwatch.notify.delivered"), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task Two_instances_claiming_at_once_never_hold_the_same_row_and_an_expired_lease_passes_to_the_other()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var cli = new CliRunner(clock: new FakeTimeProvider(Start));
        var options = Options(receiver);
        await StoreHitsAsync(cli, options, 40);
        var (first, second) = (Store(cli), Store(cli));

        // Both instances claim in small bites, concurrently, until nothing is left.
        async Task<List<string>> ClaimAllAsync(OutboxStore store, string owner)
        {
            var mine = new List<string>();
            for (var round = 0; round < 100; round++)
            {
                var rows = await store.ClaimDueAsync($"{owner}-{round}", Start, Start.AddMinutes(2), 3);
                mine.AddRange(rows.Select(r => r.DeliveryId));
                if (rows.Count == 0 && round > 5)
                {
                    break;
                }
            }

            return mine;
        }

        var claims = await Task.WhenAll(Task.Run(() => ClaimAllAsync(first, "a")), Task.Run(() => ClaimAllAsync(second, "b")));
        var all = await cli.ColumnAsync("SELECT delivery_id FROM notify_outbox");
        Assert.Multiple(() =>
        {
            Assert.That(all, Has.Count.EqualTo(40));
            Assert.That(claims[0].Intersect(claims[1]), Is.Empty, "no row held by both");
            Assert.That(claims[0].Concat(claims[1]), Is.EquivalentTo(all), "every row claimed once");
        });

        // Instance a "crashes" holding its rows; once the lease runs out instance b takes them, and a can no longer settle them.
        var held = claims[0].Count > 0 ? claims[0][0] : claims[1][0];
        var owner = (await cli.ColumnAsync($"SELECT lease_owner FROM notify_outbox WHERE delivery_id = '{held}'")).Single();
        Assert.That(await second.ClaimDueAsync("b-late", Start.AddMinutes(1), Start.AddMinutes(3), 100), Is.Empty, "leases still running");
        var retaken = await second.ClaimDueAsync("b-after", Start.AddMinutes(2), Start.AddMinutes(4), 100);
        Assert.Multiple(async () =>
        {
            Assert.That(retaken.Select(r => r.DeliveryId), Is.EquivalentTo(all), "every expired lease is claimable again");
            Assert.That(await first.MarkDeliveredAsync(held, owner, Start.AddMinutes(2)), Is.False, "the old holder lost the row");
            Assert.That(await second.MarkDeliveredAsync(held, "b-after", Start.AddMinutes(2)), Is.True);
        });
    }

    [Test]
    public async Task A_stored_hit_re_processed_queues_no_second_notification()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var cli = new CliRunner(clock: new FakeTimeProvider(Start));
        var options = Options(receiver);
        await StoreHitsAsync(cli, options, 2);
        await StoreHitsAsync(cli, options, 2); // the same reads again, as after a crash before the offsets were committed
        Assert.That(await cli.ColumnAsync("SELECT COUNT(*) FROM notify_outbox"), Is.EqualTo(new[] { "2" }));
    }

    [Test]
    public async Task Housekeeping_purges_delivered_rows_after_the_keep_period_and_every_row_past_hit_retention()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var cli = new CliRunner(clock: new FakeTimeProvider(Start));
        var options = Options(receiver);
        await StoreHitsAsync(cli, options, 3);
        var store = Store(cli);

        // Row ages by hand (created, delivered), relative to Start: the oracle is this table, not the purge's own SQL.
        (string Name, double CreatedDaysAgo, double? DeliveredDaysAgo, bool Kept)[] table =
        [
            ("delivered 10 days ago", 10, 10, false),
            ("delivered 2 days ago", 3, 2, true),
            ("undelivered, 400 days old", 400, null, false),
        ];
        var ids = await cli.ColumnAsync("SELECT delivery_id FROM notify_outbox ORDER BY delivery_id");
        for (var i = 0; i < table.Length; i++)
        {
            var created = Start.AddDays(-table[i].CreatedDaysAgo).ToUnixTimeMilliseconds();
            var delivered = table[i].DeliveredDaysAgo is { } d ? Start.AddDays(-d).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) : "NULL";
            await cli.ColumnAsync($"UPDATE notify_outbox SET created_at_ms = {created}, delivered_at_ms = {delivered} WHERE delivery_id = '{ids[i]}' RETURNING 1");
        }

        var purged = await store.PurgeAsync(Start.AddDays(-7), Start.AddDays(-365));
        var kept = await cli.ColumnAsync("SELECT delivery_id FROM notify_outbox");
        Assert.Multiple(() =>
        {
            Assert.That(purged, Is.EqualTo(table.Count(r => !r.Kept)));
            Assert.That(kept, Is.EquivalentTo(table.Select((r, i) => (r, i)).Where(p => p.r.Kept).Select(p => ids[p.i])));
        });
    }
}
