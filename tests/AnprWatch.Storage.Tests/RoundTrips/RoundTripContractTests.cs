using System.Globalization;
using System.Text;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Hits.Clones;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Pipeline;
using AnprWatch.Core.Plates;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Notifications;
using Dapper;

namespace AnprWatch.Storage.Tests.RoundTrips;

/// <summary>
/// Issue 18, round trips counted: the real pipeline stores one 20,000-read batch with 2,500 hits through a
/// <see cref="CountingDialect"/> over a real store (SQLite always; SQL Server too when ANPRWATCH_TEST_SQLSERVER is set).
/// <para>
/// The rule (see <see cref="CountingDialect"/>): a round trip is a command executed, a bulk copy, or a transaction
/// begin/commit/rollback; opening a pooled connection and SQLite's per-connection PRAGMAs are not. The same count on
/// both dialects: SQLite runs the same set-based statements (json_each where SQL Server has OPENJSON), so its count is
/// not a per-row count excused as in-process, and SQL Server's is bounded by construction (one statement per step,
/// each set one JSON parameter) rather than by this batch's size.
/// </para>
/// <para>
/// "Storing" is everything the pipeline asks the store before its alerts go out: the clone check's stored sightings,
/// the batch's suppression state, and <see cref="HitStore.SaveHitsAsync"/> (transaction, clone flags, hits,
/// confirmations, read-back, notification outbox). The batch is built so that every one of those runs.
/// </para>
/// </summary>
[TestFixtureSource(typeof(StorageContractTests), nameof(StorageContractTests.Dialects))]
[NonParallelizable]
public class RoundTripContractTests(string dialect)
{
    private const int Reads = 20_000;
    private const int ConfirmedPairs = 1_000;   // an ocr-equivalent misread, then the exact read that confirms it: 2,000 hits
    private const int ClonePairs = 250;         // two exact reads 400 km apart in 5 minutes: 500 hits, the second a possible clone, both alerted
    private const int Hits = 2 * (ConfirmedPairs + ClonePairs);

    /// <summary>The issue's bound for storing a 20,000-read batch with 2,500 hits, on either dialect.</summary>
    private const int MaxRoundTripsToStore = 10;

    private static readonly Force Avon = ForceRegistry.Get("avon-and-somerset");
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private StoreFixture _store = null!;

    [SetUp]
    public async Task SetUp() => _store = await StoreFixture.CreateAsync(dialect);

    [TearDown]
    public async Task TearDown() => await _store.DisposeAsync();

    /// <summary>
    /// Oracle: the count of round trips is the wrapper's, independent of the store's code; that every step ran (and
    /// ran on all 2,500 hits) is read back from the store afterwards by plain counts, independent of the pipeline.
    /// </summary>
    [Test]
    public async Task Storing_a_20000_read_batch_with_2500_hits_costs_at_most_10_round_trips()
    {
        var markers = Enumerable.Range(0, ConfirmedPairs + ClonePairs).Select(j => new Marker(
            Plate(j, 'B'), $"SR-{j}", RiskLevel.High, Avon, new DateOnly(2027, 1, 1), null, "OP", "stop", "desk", "ACT")).ToList();
        await _store.Markers.ReplaceAsync(Avon, markers, "tester", "bureau", new string('a', 64), MarkerListDiff.Compute([], markers), "import");

        var counting = new CountingDialect(_store.Database.Dialect);
        var phases = new PhaseCountingStore(new HitStore(new Database(counting), new OnePerAlert()), counting);
        var holder = new MarkerIndexHolder();
        holder.Swap(MarkerIndex.Build(markers, OcrEquivalence.Default, 1, 1), T0);
        var options = new AlertingOptions();
        var deadLetters = new CollectingDeadLetters();
        var alerts = new CountingAlerts();
        var clock = new MutableClock(T0.AddHours(1));
        var pipeline = new ReadPipeline(holder, new HitPolicy(options), new AlertGate(options), phases, alerts, deadLetters, clock, PipelineMode.Replay,
            new PipelineStats(), clones: new CloneDetector(CloneOptions.Default));

        await pipeline.ProcessAsync(new ReadBatch(Batch()), CancellationToken.None);

        var storing = phases.Trips(nameof(IHitStore.LatestSightingsAsync)) + phases.Trips(nameof(IHitStore.AlertedHitsAsync)) + phases.Trips(nameof(IHitStore.SaveHitsAsync));
        var report = $"{dialect}: {string.Join(", ", phases.Calls.Select(c => $"{c.Method} {c.Trips}"))}\n  " + string.Join("\n  ", counting.Log);
        TestContext.Out.WriteLine(report);

        await using var connection = await _store.Database.OpenAsync();
        long Count(string table, string where = "") => connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {_store.Database.Table(table)}{where}");
        Assert.Multiple(() =>
        {
            Assert.That(deadLetters.Count, Is.Zero, "every read decoded");
            Assert.That(Count("hits"), Is.EqualTo(Hits), "hits stored");
            // Both reads of a clone pair alert: Newcastle five minutes after Bath is no repeat (one vehicle could not have
            // made both, docs/CONTRACTS-ROUND2.md "The repeat rule"); a confirmed pair alerts its misread only.
            Assert.That(Count("hits", " WHERE alerted = 1"), Is.EqualTo(ConfirmedPairs + 2 * ClonePairs), "alerted: each misread, and both reads of each clone pair");
            Assert.That(Count("hit_confirmations"), Is.EqualTo(ConfirmedPairs), "confirmations stored");
            Assert.That(Count("hit_clones"), Is.EqualTo(ClonePairs), "possible clones flagged");
            Assert.That(Count("notify_outbox"), Is.EqualTo(ConfirmedPairs + 2 * ClonePairs + ConfirmedPairs), "one notification per alert queued, and one per confirmation");
            Assert.That(alerts.Published, Is.EqualTo(ConfirmedPairs + 2 * ClonePairs + ConfirmedPairs), "alerts, then confirmations");
            Assert.That(storing, Is.LessThanOrEqualTo(MaxRoundTripsToStore), report);
            Assert.That(counting.RoundTrips - storing, Is.LessThanOrEqualTo(3), "recording delivery: alerts marked, confirmations read and marked\n" + report);
        });
    }

    /// <summary>
    /// The same bound does not depend on this batch: twice the hits cost the same round trips (a chunked or per-row
    /// store would grow).
    /// </summary>
    [Test]
    public async Task Saving_twice_as_many_hits_costs_the_same_round_trips()
    {
        var marker = new Marker("AC12XYZ", "SR-1", RiskLevel.High, Avon, new DateOnly(2027, 1, 1), null, "OP", "stop", "desk", "ACT");
        var trips = new List<int>();
        foreach (var size in new[] { 2_500, 5_000 })
        {
            var counting = new CountingDialect(_store.Database.Dialect);
            var hits = new HitStore(new Database(counting), new OnePerAlert());
            var batch = Enumerable.Range(0, size).Select(i => Hit($"{size}-{i}", marker, T0.AddSeconds(i))).ToList();
            await hits.AlertedHitsAsync([marker.MarkerId], T0.AddMinutes(-15), T0.AddHours(2), CancellationToken.None);
            await hits.SaveHitsAsync(batch, CancellationToken.None);
            await hits.MarkAlertsDeliveredAsync([.. batch.Select(h => h.HitId)], T0, CancellationToken.None);
            trips.Add(counting.RoundTrips);
        }

        Assert.That(trips[1], Is.EqualTo(trips[0]), string.Join(", ", trips));
    }

    /// <summary>
    /// 2,500 hit reads (each followed by seven reads that match nothing), in pairs per marker: a misread then the exact
    /// read a minute later at the same camera (suppressed, and confirms the misread's alert), or two exact reads
    /// Bath then Newcastle five minutes apart (the second a possible clone, and alerted: no repeat of the first).
    /// </summary>
    private static List<SourceRecord> Batch()
    {
        var records = new List<SourceRecord>(Reads);
        var filler = 0;
        void Add(string readId, string vrm, DateTimeOffset at, double lat, double lon)
        {
            records.Add(Record(readId, vrm, at, lat, lon, records.Count));
            for (var k = 0; k < 7; k++)
            {
                records.Add(Record($"none-{filler}", "NH" + (filler++).ToString("00000", CultureInfo.InvariantCulture), at, 51.0, -2.0, records.Count));
            }
        }

        for (var j = 0; j < ConfirmedPairs; j++)
        {
            var at = T0.AddSeconds(j);
            Add($"misread-{j}", Plate(j, '8'), at, 51.38, -2.36);
            Add($"exact-{j}", Plate(j, 'B'), at.AddMinutes(1), 51.38, -2.36);
        }

        for (var j = ConfirmedPairs; j < ConfirmedPairs + ClonePairs; j++)
        {
            var at = T0.AddSeconds(j);
            Add($"bath-{j}", Plate(j, 'B'), at, 51.38, -2.36);
            Add($"newcastle-{j}", Plate(j, 'B'), at.AddMinutes(5), 54.97, -1.61);
        }

        Assert.That(records, Has.Count.EqualTo(Reads));
        return records;
    }

    /// <summary>
    /// A plate per marker from letters and digits in no OCR-equivalence class (so no two markers are confusable and no
    /// filler read matches), led by 'B', whose misread is '8'.
    /// </summary>
    private static string Plate(int j, char first)
    {
        const string letters = "ACEFHJKLMNPRTUVWXY";
        return $"{first}{letters[j / 324 % 18]}{letters[j / 18 % 18]}{letters[j % 18]}347";
    }

    private static SourceRecord Record(string readId, string vrm, DateTimeOffset at, double lat, double lon, int offset)
        => new(Encoding.UTF8.GetBytes(
            $$"""{"readId":"{{readId}}","vrm":"{{vrm}}","cameraId":"CAM-1","forceCode":"wiltshire","observedAt":"{{at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)}}","lat":{{lat.ToString(CultureInfo.InvariantCulture)}},"lon":{{lon.ToString(CultureInfo.InvariantCulture)}},"site":"A4","confidence":0.9}"""),
            new SourcePosition(0, offset));

    private static Hit Hit(string readId, Marker marker, DateTimeOffset observedAt)
    {
        var hitId = HitIds.ForHit(readId, marker.MarkerId);
        return new Hit
        {
            HitId = hitId, AlertId = HitIds.ForAlert(hitId), ReadId = readId, MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm,
            MatchKind = MatchKind.Exact, ObservedAt = observedAt, CameraId = "CAM", Site = "A4", Lat = 51.4, Lon = -2.5, CameraForce = ForceRegistry.Get("wiltshire"),
            HostForce = marker.HostForce, Risk = marker.Risk, Priority = Priority.High, SuspectRef = marker.SuspectRef, ReviewOverdue = false,
            Operation = marker.Operation, Action = marker.Action, Contact = marker.Contact,
            InForce = false, NotAlertedReason = NotAlertedReason.None, RecordedAt = observedAt.AddSeconds(1),
        };
    }

    /// <summary>serve's outbox with one webhook subscription: a notification for every alert and every confirmation.</summary>
    private sealed class OnePerAlert : IOutboxPlanner
    {
        public bool IsEmpty => false;

        public void Plan(Hit hit, List<OutboxEntry> into) => into.Add(new OutboxEntry(hit.AlertId, hit.HitId, "webhook", "https://receiver.example/hook", "urgent", "{}"));

        public void PlanConfirmation(Hit confirmed, List<OutboxEntry> into)
            => into.Add(new OutboxEntry(confirmed.AlertId, confirmed.HitId, "webhook", "https://receiver.example/hook", "urgent", "{}", Confirmation: true));
    }

    private sealed class CollectingDeadLetters : IDeadLetterSink
    {
        public int Count { get; private set; }

        public Task WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
        {
            Count += deadLetters.Count;
            return Task.CompletedTask;
        }
    }

    private sealed class CountingAlerts : IAlertSink
    {
        public int Published { get; private set; }

        public Task PublishAsync(IReadOnlyList<Hit> alertedHits, CancellationToken cancellationToken)
        {
            Published += alertedHits.Count;
            return Task.CompletedTask;
        }
    }

    /// <summary>The pipeline's store, noting the round trips each call cost.</summary>
    private sealed class PhaseCountingStore(HitStore inner, CountingDialect counting) : IHitStore
    {
        public List<(string Method, int Trips)> Calls { get; } = [];

        public int Trips(string method) => Calls.Where(c => c.Method == method).Sum(c => c.Trips);

        private async Task<T> Note<T>(string method, Func<Task<T>> call)
        {
            var before = counting.RoundTrips;
            var result = await call();
            Calls.Add((method, counting.RoundTrips - before));
            return result;
        }

        public Task<IReadOnlyList<Hit>> SaveHitsAsync(IReadOnlyList<Hit> hits, CancellationToken cancellationToken)
            => Note(nameof(SaveHitsAsync), () => inner.SaveHitsAsync(hits, cancellationToken));

        public Task MarkAlertsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
            => Note(nameof(MarkAlertsDeliveredAsync), async () => { await inner.MarkAlertsDeliveredAsync(hitIds, at, cancellationToken); return 0; });

        public Task<IReadOnlyList<AlertedHitInForce>> AlertedHitsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
            => Note(nameof(AlertedHitsAsync), () => inner.AlertedHitsAsync(markerIds, from, to, cancellationToken));

        public Task<IReadOnlyList<StoredSighting>> LatestSightingsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
            => Note(nameof(LatestSightingsAsync), () => inner.LatestSightingsAsync(markerIds, from, to, cancellationToken));

        public Task<IReadOnlyList<Hit>> UndeliveredConfirmationsAsync(IReadOnlyList<string> hitIds, CancellationToken cancellationToken)
            => Note(nameof(UndeliveredConfirmationsAsync), () => inner.UndeliveredConfirmationsAsync(hitIds, cancellationToken));

        public Task MarkConfirmationsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
            => Note(nameof(MarkConfirmationsDeliveredAsync), async () => { await inner.MarkConfirmationsDeliveredAsync(hitIds, at, cancellationToken); return 0; });
    }
}
