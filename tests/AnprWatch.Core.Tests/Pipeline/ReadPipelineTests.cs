using System.Text;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Hits.Clones;
using AnprWatch.Core.Locations;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Pipeline;
using AnprWatch.Core.Plates;
using static AnprWatch.Core.Tests.TestData;

namespace AnprWatch.Core.Tests.Pipeline;

/// <summary>
/// The pipeline end to end over in-memory implementations of its own contracts (hit store, alert sink, dead-letter
/// sink): no broker, no database. One HIGH-risk Avon and Somerset marker on AB12CDE; cameras in Wiltshire are out of
/// force. Daytime is 13:00 BST (12:00 UTC) on 1 June 2026; the default 15-minute repeat window and 30-minute max age.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class ReadPipelineTests
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class MemoryHitStore : IHitStore
    {
        public Dictionary<string, Hit> Hits { get; } = new(StringComparer.Ordinal);
        public HashSet<string> ConfirmationsDelivered { get; } = new(StringComparer.Ordinal);
        public int Saves { get; private set; }

        public Task<IReadOnlyList<Hit>> SaveHitsAsync(IReadOnlyList<Hit> hits, CancellationToken cancellationToken)
        {
            Saves++;
            var result = new List<Hit>();
            foreach (var hit in hits)
            {
                if (!Hits.TryGetValue(hit.HitId, out var stored))
                {
                    Hits[hit.HitId] = stored = hit with { ConfirmsHitId = null };
                }

                // Storing an exact hit that confirms an ocr-equivalent alert stores the confirmation (first one wins).
                if (hit.ConfirmsHitId is { } confirmed && Hits[confirmed].ConfirmingReadId is null)
                {
                    Hits[confirmed] = Hits[confirmed] with { ConfirmedAt = hit.ObservedAt, ConfirmingReadId = hit.ReadId };
                }

                result.Add(stored);
            }

            return Task.FromResult<IReadOnlyList<Hit>>(result);
        }

        public Task MarkAlertsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
        {
            foreach (var id in hitIds)
            {
                Hits[id] = Hits[id] with { AlertDelivered = true };
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<AlertedHitInForce>> AlertedHitsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlyList<AlertedHitInForce>>(Hits.Values
                .Where(h => h.Alerted && markerIds.Contains(h.MarkerId) && h.ObservedAt >= from && h.ObservedAt <= to)
                .Select(h => new AlertedHitInForce(h.MarkerId, h.CameraForce.Code, new AlertedHitRef(h.HitId, h.ObservedAt, h.MatchKind, h.ConfirmingReadId, h.Lat, h.Lon, h.Priority)))
                .ToList());

        public Task<IReadOnlyList<StoredSighting>> LatestSightingsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlyList<StoredSighting>>([]);

        public Task<IReadOnlyList<Hit>> UndeliveredConfirmationsAsync(IReadOnlyList<string> hitIds, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlyList<Hit>>(hitIds.Select(id => Hits[id]).Where(h => h.ConfirmedAt is not null && !ConfirmationsDelivered.Contains(h.HitId)).ToList());

        public Task MarkConfirmationsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
        {
            ConfirmationsDelivered.UnionWith(hitIds);
            return Task.CompletedTask;
        }
    }

    private sealed class MemoryAlertSink : IAlertSink
    {
        public List<Hit> Published { get; } = [];
        public Exception? Failure { get; set; }

        public Task PublishAsync(IReadOnlyList<Hit> alertedHits, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            Published.AddRange(alertedHits);
            return Task.CompletedTask;
        }
    }

    private sealed class MemoryDeadLetterSink : IDeadLetterSink
    {
        public List<DeadLetter> Written { get; } = [];
        public Exception? Failure { get; set; }

        public Task WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            Written.AddRange(deadLetters);
            return Task.CompletedTask;
        }
    }

    private readonly MemoryHitStore _store = new();
    private readonly MemoryAlertSink _alerts = new();
    private readonly MemoryDeadLetterSink _deadLetters = new();
    private readonly PipelineStats _stats = new();
    private Clock _clock = null!;

    /// <summary>The reference decoder, made to refuse the read with <paramref name="readId"/> (no real input makes the decoders disagree).</summary>
    private static ReadMaterialiser RefusingReadId(string readId, string reason)
        => (ReadOnlySpan<byte> json, out string? error) =>
        {
            if (Encoding.UTF8.GetString(json).Contains($"\"{readId}\"", StringComparison.Ordinal))
            {
                error = reason;
                return null;
            }

            return AnprWatch.Core.Reads.ReadDecoder.Materialise(json, out error);
        };

    /// <summary>Sums <c>anprwatch.internal_errors{stage=materialise}</c> while it is alive.</summary>
    private sealed class MaterialiseErrorMeter : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private long _count;

        public MaterialiseErrorMeter()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PipelineTelemetry.Meter.Name && instrument.Name == "anprwatch.internal_errors")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "stage", Value: "materialise" })
                    {
                        Interlocked.Add(ref _count, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    private ReadPipeline Pipeline(PipelineMode mode = PipelineMode.Live, DateTimeOffset? now = null, Marker[]? markers = null, Location[]? places = null, ReadMaterialiser? materialise = null)
    {
        _clock = new Clock(now ?? Noon.AddMinutes(1));
        var holder = new MarkerIndexHolder();
        holder.Swap(MarkerIndex.Build(markers ?? [Marker("AB12CDE", "SR-1", RiskLevel.High)], OcrEquivalence.Default, 1, version: 1), Noon);
        var locations = new LocationIndexHolder();
        locations.Swap(LocationIndex.Build(places ?? [], [RiskLevel.High, RiskLevel.Medium], version: 1));
        var options = new AlertingOptions();
        return new ReadPipeline(holder, new HitPolicy(options), new AlertGate(options), _store, _alerts, _deadLetters, _clock, mode, _stats,
            locations: locations, clones: new CloneDetector(CloneOptions.Default))
        {
            Materialise = materialise ?? AnprWatch.Core.Reads.ReadDecoder.Materialise,
        };
    }

    private static string Read(string readId, string observedAt, string vrm = "AB12 CDE", string force = "wiltshire", string position = "")
        => $$"""{"readId":"{{readId}}","vrm":"{{vrm}}","cameraId":"CAM-1","forceCode":"{{force}}","observedAt":"{{observedAt}}"{{position}}}""";

    private static ReadBatch Batch(params string[] lines)
        => new(lines.Select((l, i) => new SourceRecord(Encoding.UTF8.GetBytes(l), SourcePosition.Line(i + 1))).ToList());

    [Test]
    public async Task A_marked_plate_seen_out_of_force_gives_one_hit_and_one_alert()
    {
        await Pipeline().ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        var hit = _store.Hits.Values.Single();
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published.Select(h => h.HitId), Is.EqualTo(new[] { hit.HitId }));
            Assert.That((hit.ReadId, hit.Vrm, hit.MarkerVrm, hit.SuspectRef), Is.EqualTo(("r-1", "AB12CDE", "AB12CDE", "SR-1")));
            Assert.That((hit.CameraForce.Code, hit.HostForce.Code), Is.EqualTo(("wiltshire", "avon-and-somerset")));
            Assert.That(hit.MatchKind, Is.EqualTo(MatchKind.Exact));
            // HIGH risk at 13:00 BST (daytime): high, not urgent.
            Assert.That(hit.Priority, Is.EqualTo(Priority.High));
            Assert.That(hit.Alerted, Is.True);
            Assert.That(hit.InForce, Is.False);
            Assert.That(hit.ObservedAt, Is.EqualTo(Noon));
            Assert.That(hit.RecordedAt, Is.EqualTo(Noon.AddMinutes(1)), "recorded at the pipeline clock's time");
            Assert.That(hit.AlertDelivered, Is.True, "the acknowledged alert is recorded as delivered");
            Assert.That(_deadLetters.Written, Is.Empty);
            Assert.That((_stats.Reads, _stats.Hits, _stats.Alerted, _stats.DeadLetters, _stats.Batches), Is.EqualTo((1L, 1L, 1L, 0L, 1L)));
            Assert.That(_stats.HitsByCameraForce["wiltshire"], Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_batch_retried_after_a_sink_outage_counts_its_internal_error_once_like_its_dead_letter()
    {
        // The worker retries a whole batch after a transient failure (the store, the alert or dead-letter sink) and
        // re-runs halves to isolate a read: the read the decoders disagree on is in every attempt, but it is one read.
        using var materialiseErrors = new MaterialiseErrorMeter();

        var pipeline = Pipeline(materialise: RefusingReadId("r-bad", "disagree"));
        var batch = Batch(Read("r-bad", "2026-06-01T13:00:00+01:00"), Read("r-good", "2026-06-01T13:00:30+01:00"));
        _deadLetters.Failure = new IOException("disk full");
        Assert.ThrowsAsync<DeliveryFailedException>(() => pipeline.ProcessAsync(batch, CancellationToken.None));
        Assert.ThrowsAsync<DeliveryFailedException>(() => pipeline.ProcessAsync(batch, CancellationToken.None));
        _deadLetters.Failure = null;
        await pipeline.ProcessAsync(batch, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_deadLetters.Written, Has.Count.EqualTo(1));
            Assert.That((_stats.DeadLetters, _stats.InternalErrors), Is.EqualTo((1L, 1L)), "one read, one internal error, however many attempts");
            Assert.That(materialiseErrors.Count, Is.EqualTo(1), "anprwatch.internal_errors{stage=materialise}");
        });
    }

    [Test]
    public async Task A_matched_read_the_reference_decoder_refuses_is_dead_lettered_with_the_reason_counted_as_internal_and_the_next_read_still_alerts()
    {
        // No known input makes the decoders disagree (the fuzz tests look for one), so the reference decoder is made to
        // refuse one read the fast path accepted: the pipeline must not guess which decoder is right, nor stop.
        using var materialiseErrors = new MaterialiseErrorMeter();

        var bad = Read("r-bad", "2026-06-01T13:00:00+01:00");
        await Pipeline(materialise: RefusingReadId("r-bad", "field 'site' must not contain control characters")).ProcessAsync(Batch(bad, Read("r-good", "2026-06-01T13:00:30+01:00")), CancellationToken.None);

        var letter = _deadLetters.Written.Single();
        Assert.Multiple(() =>
        {
            Assert.That(letter.Position, Is.EqualTo(SourcePosition.Line(1)));
            Assert.That(letter.Reason, Is.EqualTo("internal: the fast and reference decoders disagree: field 'site' must not contain control characters"));
            Assert.That(Encoding.UTF8.GetString(letter.Raw.Span), Is.EqualTo(bad), "the read's own bytes, for replay once the defect is fixed");
            Assert.That(_store.Hits.Values.Select(h => h.ReadId), Is.EqualTo(new[] { "r-good" }), "the refused read stores nothing");
            Assert.That(_alerts.Published.Select(h => h.ReadId), Is.EqualTo(new[] { "r-good" }));
            Assert.That((_stats.Reads, _stats.DeadLetters, _stats.InternalErrors, _stats.Hits), Is.EqualTo((2L, 1L, 1L, 1L)));
            Assert.That(materialiseErrors.Count, Is.EqualTo(1), "anprwatch.internal_errors{stage=materialise}");
        });
    }

    [Test]
    public async Task An_unmarked_plate_stores_nothing_and_alerts_nobody()
    {
        await Pipeline().ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00", vrm: "XY19ZZZ")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_store.Saves, Is.EqualTo(0));
            Assert.That(_store.Hits, Is.Empty);
            Assert.That(_alerts.Published, Is.Empty);
            Assert.That(_deadLetters.Written, Is.Empty);
            Assert.That((_stats.Reads, _stats.Hits), Is.EqualTo((1L, 0L)));
        });
    }

    [Test]
    public async Task A_marked_plate_seen_by_its_own_force_is_not_a_hit_by_default()
    {
        await Pipeline().ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00", force: "avon-and-somerset")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_store.Hits, Is.Empty);
            Assert.That(_alerts.Published, Is.Empty);
        });
    }

    [Test]
    public async Task A_repeat_sighting_ten_minutes_later_is_stored_but_not_alerted_again()
    {
        var pipeline = Pipeline();
        await pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        _clock.Now = Noon.AddMinutes(11);
        await pipeline.ProcessAsync(Batch(Read("r-2", "2026-06-01T13:10:00+01:00")), CancellationToken.None);
        var repeat = _store.Hits.Values.Single(h => h.ReadId == "r-2");
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published.Select(h => h.ReadId), Is.EqualTo(new[] { "r-1" }));
            Assert.That(repeat.NotAlertedReason, Is.EqualTo(NotAlertedReason.Suppressed));
            Assert.That((_stats.Hits, _stats.Alerted, _stats.Suppressed), Is.EqualTo((2L, 1L, 1L)));
        });
    }

    [Test]
    public async Task Two_sightings_in_one_batch_alert_once()
    {
        await Pipeline(now: Noon.AddMinutes(6)).ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00"), Read("r-2", "2026-06-01T13:05:00+01:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published.Select(h => h.ReadId), Is.EqualTo(new[] { "r-1" }));
            Assert.That(_store.Hits.Values.Single(h => h.ReadId == "r-2").NotAlertedReason, Is.EqualTo(NotAlertedReason.Suppressed));
        });
    }

    [Test]
    public async Task A_sighting_sixteen_minutes_later_alerts_again()
    {
        await Pipeline(now: Noon.AddMinutes(17)).ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00"), Read("r-2", "2026-06-01T13:16:00+01:00")), CancellationToken.None);
        Assert.That(_alerts.Published.Select(h => h.ReadId), Is.EqualTo(new[] { "r-1", "r-2" }));
    }

    [Test]
    public async Task Crossing_into_another_force_alerts_again_within_the_window()
    {
        await Pipeline(now: Noon.AddMinutes(6)).ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00"), Read("r-2", "2026-06-01T13:05:00+01:00", force: "dorset")), CancellationToken.None);
        Assert.That(_alerts.Published.Select(h => (h.ReadId, h.CameraForce.Code)), Is.EqualTo(new[] { ("r-1", "wiltshire"), ("r-2", "dorset") }));
    }

    [Test]
    public async Task A_late_read_observed_just_before_an_alert_already_sent_is_a_repeat()
    {
        var pipeline = Pipeline(now: Noon.AddMinutes(11));
        await pipeline.ProcessAsync(Batch(Read("r-2", "2026-06-01T13:10:00+01:00")), CancellationToken.None);
        await pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published.Select(h => h.ReadId), Is.EqualTo(new[] { "r-2" }));
            Assert.That(_store.Hits.Values.Single(h => h.ReadId == "r-1").NotAlertedReason, Is.EqualTo(NotAlertedReason.Suppressed));
        });
    }

    [Test]
    public async Task A_night_time_sighting_is_urgent_and_not_suppressed_by_a_daytime_alert_minutes_earlier()
    {
        // 21:55 BST is day (high); 22:05 BST is night (urgent). A lower-priority alert does not suppress a higher one.
        await Pipeline(now: new DateTimeOffset(2026, 6, 1, 21, 6, 0, TimeSpan.Zero))
            .ProcessAsync(Batch(Read("r-1", "2026-06-01T21:55:00+01:00"), Read("r-2", "2026-06-01T22:05:00+01:00")), CancellationToken.None);
        Assert.That(_alerts.Published.Select(h => (h.ReadId, h.Priority)), Is.EqualTo(new[] { ("r-1", Priority.High), ("r-2", Priority.Urgent) }));
    }

    [Test]
    public async Task A_daytime_sighting_minutes_after_a_night_time_alert_is_a_repeat()
    {
        // 05:55 BST urgent, then 06:05 BST high: the urgent alert (higher priority) suppresses it.
        await Pipeline(now: new DateTimeOffset(2026, 6, 1, 5, 6, 0, TimeSpan.Zero))
            .ProcessAsync(Batch(Read("r-1", "2026-06-01T05:55:00+01:00"), Read("r-2", "2026-06-01T06:05:00+01:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published.Select(h => (h.ReadId, h.Priority)), Is.EqualTo(new[] { ("r-1", Priority.Urgent) }));
            Assert.That(_store.Hits.Values.Single(h => h.ReadId == "r-2").NotAlertedReason, Is.EqualTo(NotAlertedReason.Suppressed));
        });
    }

    [Test]
    public async Task A_read_processed_more_than_thirty_minutes_late_is_stored_as_stale_and_not_alerted()
    {
        await Pipeline(now: Noon.AddMinutes(31)).ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_store.Hits.Values.Single().NotAlertedReason, Is.EqualTo(NotAlertedReason.Stale));
            Assert.That(_alerts.Published, Is.Empty);
            Assert.That(_stats.Stale, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_replayed_read_days_old_is_alerted_as_if_live()
    {
        await Pipeline(PipelineMode.Replay, now: Noon.AddDays(3)).ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        Assert.That(_alerts.Published.Select(h => h.ReadId), Is.EqualTo(new[] { "r-1" }));
    }

    [Test]
    public async Task A_misread_one_character_off_is_alerted_asking_to_verify_the_plate()
    {
        // D and 0 share an OCR class: AB12C0E is one substitution from AB12CDE.
        await Pipeline().ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00", vrm: "AB12C0E")), CancellationToken.None);
        var alert = _alerts.Published.Single();
        Assert.Multiple(() =>
        {
            Assert.That((alert.Vrm, alert.MarkerVrm), Is.EqualTo(("AB12C0E", "AB12CDE")));
            Assert.That(alert.MatchKind, Is.EqualTo(MatchKind.OcrEquivalent));
            Assert.That(alert.VerifyPlate, Is.True);
        });
    }

    [Test]
    public async Task A_malformed_read_is_dead_lettered_with_its_reason_and_the_next_read_still_matches()
    {
        var malformed = """{"readId":"r-1","cameraId":"CAM-1","forceCode":"wiltshire","observedAt":"2026-06-01T13:00:00+01:00"}""";
        await Pipeline().ProcessAsync(Batch(malformed, Read("r-2", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        var letter = _deadLetters.Written.Single();
        Assert.Multiple(() =>
        {
            Assert.That(letter.Position, Is.EqualTo(SourcePosition.Line(1)));
            Assert.That(letter.Reason, Is.EqualTo("missing required field 'vrm'"));
            Assert.That(Encoding.UTF8.GetString(letter.Raw.Span), Is.EqualTo(malformed));
            Assert.That(_alerts.Published.Select(h => h.ReadId), Is.EqualTo(new[] { "r-2" }));
            Assert.That((_stats.Reads, _stats.DeadLetters, _stats.Hits), Is.EqualTo((2L, 1L, 1L)));
        });
    }

    [Test]
    public async Task A_read_stamped_before_2000_is_dead_lettered_naming_the_accepted_window()
    {
        await Pipeline().ProcessAsync(Batch(Read("r-1", "1999-12-31T23:59:59+00:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_deadLetters.Written.Single().Reason,
                Is.EqualTo("field 'observedAt' is outside the accepted window (from 2000-01-01T00:00:00Z to 24 h ahead of the clock)"));
            Assert.That(_store.Hits, Is.Empty);
        });
    }

    [Test]
    public async Task A_read_stamped_more_than_a_day_ahead_of_the_clock_is_dead_lettered_and_one_just_inside_is_not()
    {
        // The clock is 12:01 UTC on 1 June: up to 12:01 UTC on 2 June is accepted (inclusive).
        await Pipeline(PipelineMode.Replay).ProcessAsync(Batch(Read("r-1", "2026-06-02T12:01:00+00:00"), Read("r-2", "2026-06-02T12:01:01+00:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_deadLetters.Written.Select(d => d.Position), Is.EqualTo(new[] { SourcePosition.Line(2) }));
            Assert.That(_alerts.Published.Select(h => h.ReadId), Is.EqualTo(new[] { "r-1" }));
        });
    }

    [Test]
    public async Task A_read_delivered_again_after_a_crash_is_not_alerted_twice()
    {
        var pipeline = Pipeline();
        await pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        await pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published, Has.Count.EqualTo(1));
            Assert.That(_store.Hits, Has.Count.EqualTo(1));
            Assert.That(_store.Hits.Values.Single().Alerted, Is.True, "the original decision is kept");
        });
    }

    [Test]
    public async Task A_reused_read_id_for_another_sighting_is_dead_lettered_not_silently_dropped()
    {
        // The same readId from the same camera 28 minutes later: another sighting, not a re-delivery. The reason names
        // the stored sighting's time as this store holds it (the in-memory store keeps the camera's +01:00 offset).
        var pipeline = Pipeline(now: Noon.AddMinutes(29));
        await pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        await pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:28:00+01:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_deadLetters.Written.Single().Reason, Is.EqualTo(
                "readId already used for a different sighting (camera CAM-1 at 2026-06-01T13:00:00.000+01:00); " +
                "this read was not stored or alerted: readIds must be unique per read (DESIGN §4.1)"));
            Assert.That(_store.Hits, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_failing_alert_sink_pauses_the_batch_instead_of_blaming_a_read()
    {
        _alerts.Failure = new InvalidOperationException("broker down");
        var pipeline = Pipeline();
        var ex = Assert.ThrowsAsync<DeliveryFailedException>(() => pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Is.EqualTo("the alert sink failed: InvalidOperationException: broker down"));
            Assert.That(_deadLetters.Written, Is.Empty);
            Assert.That(_store.Hits.Values.Single().AlertDelivered, Is.False, "the stored hit's alert is sent again on retry");
        });

        // The retry after the broker is back sends the alert once.
        _alerts.Failure = null;
        await pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        Assert.That(_alerts.Published.Select(h => h.ReadId), Is.EqualTo(new[] { "r-1" }));
    }
    [Test]
    public async Task A_plate_linked_to_two_suspects_gives_a_hit_and_an_alert_for_each()
    {
        await Pipeline(markers: [Marker("AB12CDE", "SR-1"), Marker("AB12CDE", "SR-2")])
            .ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published.Select(h => h.SuspectRef).Order(), Is.EqualTo(new[] { "SR-1", "SR-2" }));
            Assert.That(_store.Hits, Has.Count.EqualTo(2));
            Assert.That(_stats.Alerted, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_pipeline_before_any_marker_list_is_loaded_matches_nothing()
    {
        var pipeline = new ReadPipeline(new MarkerIndexHolder(), new HitPolicy(new AlertingOptions()), new AlertGate(new AlertingOptions()),
            _store, _alerts, _deadLetters, new Clock(Noon), PipelineMode.Live, _stats);
        await pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_store.Hits, Is.Empty);
            Assert.That(pipeline.Stats.Reads, Is.EqualTo(1));
        });
    }

    private static Location Flagged(string reference = "LOC-1") => new(reference, "Car park", 51.3, -1.9, 500, RiskLevel.High, Wiltshire, new DateOnly(2027, 1, 1), null, null);

    [Test]
    public async Task A_daytime_sighting_inside_a_flagged_location_is_raised_to_urgent_and_names_the_place()
    {
        // HIGH risk by day is high; inside a flagged location it goes one step up, to urgent.
        await Pipeline(places: [Flagged()]).ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00", position: ",\"lat\":51.3,\"lon\":-1.9")), CancellationToken.None);
        var alert = _alerts.Published.Single();
        Assert.Multiple(() =>
        {
            Assert.That(alert.Priority, Is.EqualTo(Priority.Urgent));
            Assert.That(alert.LocationRef, Is.EqualTo("LOC-1"));
        });
    }

    [Test]
    public async Task A_sighting_without_a_position_is_never_in_a_flagged_location()
    {
        await Pipeline(places: [Flagged()]).ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        Assert.That(_alerts.Published.Select(h => (h.Priority, h.LocationRef)), Is.EqualTo(new[] { (Priority.High, (string?)null) }));
    }

    [Test]
    public async Task A_camera_with_no_gps_fix_at_0_0_is_not_placed_in_the_gulf_of_guinea()
    {
        var gulf = new Location("LOC-0", "Null Island", 0, 0, 500, RiskLevel.High, Wiltshire, new DateOnly(2027, 1, 1), null, null);
        await Pipeline(places: [gulf]).ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00", position: ",\"lat\":0,\"lon\":0")), CancellationToken.None);
        Assert.That(_alerts.Published.Select(h => (h.Priority, h.LocationRef)), Is.EqualTo(new[] { (Priority.High, (string?)null) }));
    }

    [Test]
    public async Task A_sighting_raised_by_a_flagged_location_alerts_again_minutes_after_an_ordinary_alert()
    {
        // 13:00 far from the place (high), 13:05 inside it (urgent): a lower-priority alert does not suppress it.
        await Pipeline(now: Noon.AddMinutes(6), places: [Flagged()]).ProcessAsync(Batch(
            Read("r-1", "2026-06-01T13:00:00+01:00", position: ",\"lat\":51.35,\"lon\":-1.95"),
            Read("r-2", "2026-06-01T13:05:00+01:00", position: ",\"lat\":51.3,\"lon\":-1.9")), CancellationToken.None);
        Assert.That(_alerts.Published.Select(h => (h.ReadId, h.Priority, h.LocationRef)),
            Is.EqualTo(new[] { ("r-1", Priority.High, (string?)null), ("r-2", Priority.Urgent, (string?)"LOC-1") }));
    }

    [Test]
    public async Task The_same_plate_75_km_away_five_minutes_later_is_flagged_as_a_possible_clone()
    {
        // 51.3,-1.9 to 50.7,-2.4 is about 75 km (0.6 degrees of latitude, about 67 km, and 0.5 of longitude, about 35 km):
        // 900 km/h over five minutes, beyond the default 200 km/h and over the 5 km minimum.
        await Pipeline(now: Noon.AddMinutes(6)).ProcessAsync(Batch(
            Read("r-1", "2026-06-01T13:00:00+01:00", position: ",\"lat\":51.3,\"lon\":-1.9"),
            Read("r-2", "2026-06-01T13:05:00+01:00", force: "dorset", position: ",\"lat\":50.7,\"lon\":-2.4")), CancellationToken.None);
        var first = _store.Hits.Values.Single(h => h.ReadId == "r-1");
        var second = _store.Hits.Values.Single(h => h.ReadId == "r-2");
        Assert.Multiple(() =>
        {
            Assert.That(first.PossibleClone, Is.False);
            Assert.That(second.PossibleClone, Is.True);
            Assert.That(second.CloneOfHitId, Is.EqualTo(first.HitId));
            Assert.That(_stats.PossibleClones, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_same_plate_3_km_away_a_minute_later_is_not_a_clone()
    {
        // 0.027 degrees of latitude is about 3 km: under the 5 km minimum distance, never flagged.
        await Pipeline(now: Noon.AddMinutes(6)).ProcessAsync(Batch(
            Read("r-1", "2026-06-01T13:00:00+01:00", position: ",\"lat\":51.3,\"lon\":-1.9"),
            Read("r-2", "2026-06-01T13:01:00+01:00", force: "dorset", position: ",\"lat\":51.327,\"lon\":-1.9")), CancellationToken.None);
        Assert.That(_store.Hits.Values.Select(h => h.PossibleClone), Is.All.False);
    }

    [Test]
    public async Task An_exact_read_after_a_verify_plate_alert_confirms_it_with_the_same_alert_sent_again()
    {
        var pipeline = Pipeline(now: Noon.AddMinutes(6));
        await pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00", vrm: "AB12C0E")), CancellationToken.None);
        await pipeline.ProcessAsync(Batch(Read("r-2", "2026-06-01T13:05:00+01:00")), CancellationToken.None);
        var misread = _store.Hits.Values.Single(h => h.ReadId == "r-1");
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published, Has.Count.EqualTo(2));
            Assert.That(_alerts.Published[0].ConfirmedAt, Is.Null);
            Assert.That(_alerts.Published[1].AlertId, Is.EqualTo(misread.AlertId), "the confirmation is the same alert again");
            Assert.That(_alerts.Published[1].ConfirmingReadId, Is.EqualTo("r-2"));
            Assert.That(_alerts.Published[1].ConfirmedAt, Is.EqualTo(new DateTimeOffset(2026, 6, 1, 12, 5, 0, TimeSpan.Zero)));
            Assert.That(_store.Hits.Values.Single(h => h.ReadId == "r-2").NotAlertedReason, Is.EqualTo(NotAlertedReason.Suppressed));
            Assert.That(_stats.Confirmations, Is.EqualTo(1));
            Assert.That(_store.ConfirmationsDelivered, Is.EquivalentTo(new[] { misread.HitId }));
        });

        // Re-processing the confirming read sends nothing new: the confirmation was delivered.
        await pipeline.ProcessAsync(Batch(Read("r-2", "2026-06-01T13:05:00+01:00")), CancellationToken.None);
        Assert.That(_alerts.Published, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task An_exact_read_after_an_exact_alert_confirms_nothing()
    {
        var pipeline = Pipeline(now: Noon.AddMinutes(6));
        await pipeline.ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00"), Read("r-2", "2026-06-01T13:05:00+01:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published, Has.Count.EqualTo(1));
            Assert.That(_stats.Confirmations, Is.EqualTo(0));
        });
    }
    [Test]
    public async Task The_same_read_twice_in_one_batch_is_one_hit_and_one_alert()
    {
        await Pipeline().ProcessAsync(Batch(Read("r-1", "2026-06-01T13:00:00+01:00"), Read("r-1", "2026-06-01T13:00:00+01:00")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published, Has.Count.EqualTo(1));
            Assert.That(_store.Hits, Has.Count.EqualTo(1));
            Assert.That((_stats.Reads, _stats.Hits, _stats.Alerted), Is.EqualTo((2L, 1L, 1L)));
            Assert.That(_deadLetters.Written, Is.Empty);
        });
    }

    [Test]
    public async Task The_marked_plate_75_km_from_a_verify_plate_alert_five_minutes_earlier_is_alerted_not_taken_as_a_repeat()
    {
        // One vehicle cannot make 75 km in five minutes (900 km/h): the exact read is another vehicle than the misread one,
        // so the misread's alert neither suppresses it nor is confirmed by it.
        await Pipeline(now: Noon.AddMinutes(6)).ProcessAsync(Batch(
            Read("r-1", "2026-06-01T13:00:00+01:00", vrm: "AB12C0E", position: ",\"lat\":51.3,\"lon\":-1.9"),
            Read("r-2", "2026-06-01T13:05:00+01:00", position: ",\"lat\":50.7,\"lon\":-2.4")), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_alerts.Published.Select(h => (h.ReadId, h.MatchKind)), Is.EqualTo(new[] { ("r-1", MatchKind.OcrEquivalent), ("r-2", MatchKind.Exact) }));
            Assert.That(_stats.Confirmations, Is.EqualTo(0));
            Assert.That(_store.Hits.Values.Select(h => h.ConfirmedAt), Is.All.Null);
        });
    }

    [Test]
    public void A_failing_dead_letter_sink_pauses_the_batch_after_its_hits_are_stored()
    {
        _deadLetters.Failure = new IOException("disk full");
        var pipeline = Pipeline();
        var ex = Assert.ThrowsAsync<DeliveryFailedException>(() => pipeline.ProcessAsync(Batch("not json", Read("r-2", "2026-06-01T13:00:00+01:00")), CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Is.EqualTo("the dead-letter sink failed: IOException: disk full"));
            Assert.That(_alerts.Published.Select(h => h.ReadId), Is.EqualTo(new[] { "r-2" }), "hits and alerts go first, dead letters last");
            Assert.That(_stats.Batches, Is.EqualTo(0), "the batch is not counted until it completes");
        });
    }
}
