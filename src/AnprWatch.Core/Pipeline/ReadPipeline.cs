using AnprWatch.Core.Hits;
using AnprWatch.Core.Locations;
using AnprWatch.Core.Hits.Clones;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using AnprWatch.Core.Reads;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Core.Pipeline;

public enum PipelineMode
{
    /// <summary><c>serve</c>: reads older than <c>Alerting:MaxReadAge</c> when processed are stale.</summary>
    Live,

    /// <summary><c>replay</c>: each read is treated as live at its own observedAt.</summary>
    Replay,
}

/// <summary>
/// decode → normalise → match for every read; policy, alert gating, storage and alerting for the rare hit.
/// One batch is one unit of durability: its hits are stored in one transaction and its alerts acknowledged before
/// the source is told it may commit.
/// </summary>
public sealed class ReadPipeline(
    MarkerIndexHolder index,
    HitPolicy policy,
    AlertGate gate,
    IHitStore store,
    IAlertSink alerts,
    IDeadLetterSink deadLetters,
    TimeProvider clock,
    PipelineMode mode,
    PipelineStats stats,
    ReadWindow? window = null,
    ILogger? logger = null,
    LocationIndexHolder? locations = null,
    CloneDetector? clones = null)
{
    private readonly ReadWindow _window = window ?? ReadWindow.Default;
    private readonly CloneDetector _clones = clones ?? new CloneDetector(CloneOptions.Default);

    /// <summary>
    /// Reads are decoded a chunk at a time and matched after: the chunk's index probes, each a likely cache miss
    /// with a million markers, then overlap instead of each stalling its own read's decode (measured ~15 ns a read).
    /// </summary>
    private const int ChunkSize = 32;

    private readonly char[] _chunkVrms = new char[ChunkSize * Vrm.MaxLength];
    private readonly ReadHead[] _chunkHeads = new ReadHead[ChunkSize];
    private readonly List<MarkerMatch> _matches = new(4);
    private readonly List<Hit> _candidates = [];

    // The record each candidate came from (same index): a reused readId is dead-lettered with its own bytes.
    private readonly List<SourceRecord> _candidateRecords = [];
    private readonly List<DeadLetter> _deadLetters = [];

    // The stages of this batch's internal errors, counted (stats and metric) only when the batch completes, like its
    // dead letters: a batch retried after a store or sink outage, or re-run in halves to isolate a read, must not count
    // the same read's internal error once per attempt.
    private readonly List<string> _internalErrors = [];

    /// <summary>This batch's exact, positioned sightings in read order; <c>Candidate</c> is the hit's index or -1.</summary>
    private readonly List<(string MarkerId, Sighting Sighting, int Candidate)> _sightings = [];
    private long _earliestTicks;
    private long _latestTicks;

    public PipelineStats Stats => stats;

    /// <summary>
    /// The reference decoder that turns a matched read into a <see cref="PlateRead"/>. Replaced only by tests, to
    /// make it disagree with the fast path: no known input does, so the containment would otherwise go unchecked.
    /// </summary>
    internal ReadMaterialiser Materialise { get; init; } = ReadDecoder.Materialise;

    public async Task ProcessAsync(ReadBatch batch, CancellationToken cancellationToken)
    {
        using var activity = PipelineTelemetry.Source.StartActivity("batch");
        var started = clock.GetTimestamp();
        _candidates.Clear();
        _candidateRecords.Clear();
        _deadLetters.Clear();
        _internalErrors.Clear();
        _sightings.Clear();

        // One index per batch: a swap mid-batch takes effect from the next batch, never half-way through a read.
        var current = index.Current;
        var places = locations?.Current ?? LocationIndex.Empty;
        var batchStarted = clock.GetUtcNow();
        _earliestTicks = _window.Earliest.UtcTicks;
        _latestTicks = batchStarted.UtcTicks + Math.Min(_window.MaxAheadOfClock.Ticks, DateTimeOffset.MaxValue.UtcTicks - batchStarted.UtcTicks);
        var records = batch.Records;
        for (var start = 0; start < records.Count; start += ChunkSize)
        {
            var count = Math.Min(ChunkSize, records.Count - start);
            for (var i = 0; i < count; i++)
            {
                DecodeOne(records[start + i], i);
            }

            for (var i = 0; i < count; i++)
            {
                MatchOne(current, places, records[start + i], i);
            }
        }

        if (_sightings.Count > 0)
        {
            await CheckClonesAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_candidates.Count > 0)
        {
            var gated = await GateAsync(_candidates, cancellationToken).ConfigureAwait(false);
            // The same read delivered twice in one batch is one stored hit: it is alerted and counted once.
            var stored = SetAsideReusedReadIds(gated, await store.SaveHitsAsync(gated, cancellationToken).ConfigureAwait(false))
                .DistinctBy(h => h.HitId, StringComparer.Ordinal).ToList();
            // An alert already acknowledged (its read re-delivered after a crash or rebalance) is not sent twice. Only a
            // crash between the acknowledgement and this mark can repeat one; consumers de-duplicate on alertId.
            // The alert is the hit as first decided; a confirmation stored since (even in this batch) follows as its own message.
            var toAlert = stored.Where(h => h.Alerted && !h.AlertDelivered).Select(h => h.ConfirmedAt is null ? h : h with { ConfirmedAt = null, ConfirmingReadId = null }).ToArray();
            if (toAlert.Length > 0)
            {
                using var delivery = PipelineTelemetry.Source.StartActivity("alert delivery");
                delivery?.SetTag("anprwatch.alerts", toAlert.Length);
                await DeliverAsync("the alert sink", () => alerts.PublishAsync(toAlert, cancellationToken)).ConfigureAwait(false);
                await DeliverAsync("recording alert delivery", () => store.MarkAlertsDeliveredAsync(toAlert.Select(h => h.HitId).ToArray(), clock.GetUtcNow(), cancellationToken)).ConfigureAwait(false);
            }

            await DeliverConfirmationsAsync(gated, cancellationToken).ConfigureAwait(false);

            var now = clock.GetUtcNow();
            foreach (var hit in stored)
            {
                // One span per hit, tagged with what an operator needs and nothing that identifies a vehicle.
                using (var span = PipelineTelemetry.Source.StartActivity("hit"))
                {
                    span?.SetTag("anprwatch.camera_force", hit.CameraForce.Code);
                    span?.SetTag("anprwatch.host_force", hit.HostForce.Code);
                    span?.SetTag("anprwatch.priority", hit.Priority.Label());
                    span?.SetTag("anprwatch.alerted", hit.Alerted);
                }

                stats.AddHit(hit);
                var force = new KeyValuePair<string, object?>("camera_force", hit.CameraForce.Code);
                PipelineTelemetry.Hits.Add(1, force);
                if (hit.Alerted)
                {
                    PipelineTelemetry.Alerts.Add(1, force);
                }

                if (mode == PipelineMode.Live)
                {
                    PipelineTelemetry.DecisionLatency.Record((now - hit.ObservedAt).TotalMilliseconds);
                }
            }
        }

        // Dead letters go last: a batch that fails on the store wrote none, so re-running it (or its halves, when the
        // worker isolates a read the store refuses) never writes one twice.
        if (_deadLetters.Count > 0)
        {
            await DeliverAsync("the dead-letter sink", () => deadLetters.WriteAsync(_deadLetters.ToArray(), cancellationToken)).ConfigureAwait(false);
        }

        stats.AddBatch(batch.Records.Count, _deadLetters.Count);
        foreach (var stage in _internalErrors)
        {
            stats.AddInternalError();
            PipelineTelemetry.InternalErrors.Add(1, new KeyValuePair<string, object?>("stage", stage));
        }
        PipelineTelemetry.Reads.Add(batch.Records.Count);
        if (_deadLetters.Count > 0)
        {
            PipelineTelemetry.DeadLetters.Add(_deadLetters.Count);
        }

        PipelineTelemetry.BatchDuration.Record(clock.GetElapsedTime(started).TotalMilliseconds);
        activity?.SetTag("anprwatch.reads", batch.Records.Count);
        activity?.SetTag("anprwatch.hits", _candidates.Count);
    }

    /// <summary>
    /// The per-read hot path, with <see cref="MatchOne"/>: allocates nothing unless the read is malformed or matches a
    /// marker. Whatever one read does, it cannot take the batch with it: an unexpected exception dead-letters that read
    /// as <c>internal: …</c> and the next read is processed.
    /// </summary>
    private void DecodeOne(SourceRecord record, int slot)
    {
        string? error;
        try
        {
            if (ReadDecoder.TryDecodeHead(record.Value.Span, _chunkVrms.AsSpan(slot * Vrm.MaxLength, Vrm.MaxLength), out _chunkHeads[slot], out error))
            {
                var ticks = _chunkHeads[slot].ObservedAt.UtcTicks;
                if (ticks >= _earliestTicks && ticks <= _latestTicks)
                {
                    return;
                }

                error = _window.Describe();
            }
        }
        catch (Exception ex)
        {
            error = Internal("decode", ex);
        }

        // A zero-length VRM marks the slot as not to be matched: a decoded read's VRM is never empty.
        _chunkHeads[slot] = default;
        _deadLetters.Add(new DeadLetter(record.Position, error!, record.Value.ToArray()));
    }

    private void MatchOne(MarkerIndex current, LocationIndex places, SourceRecord record, int slot)
    {
        var length = _chunkHeads[slot].VrmLength;
        if (length == 0)
        {
            return;
        }

        var candidatesBefore = _candidates.Count;
        var sightingsBefore = _sightings.Count;
        try
        {
            if (!current.Match(_chunkVrms.AsSpan(slot * Vrm.MaxLength, length), _matches))
            {
                return;
            }

            var read = Materialise(record.Value.Span, out var error);
            if (read is null)
            {
                // The fast path accepted what the reference decoder refuses: never guess which is right. It is a defect
                // of ours, not of the feed, so it counts as an internal error like any other (stats, metric, log).
                _internalErrors.Add("materialise");
                logger?.LogError("internal error in stage {Stage}: the fast and reference decoders disagree; the read is dead-lettered and processing continues", "materialise");
                _deadLetters.Add(new DeadLetter(record.Position, "internal: the fast and reference decoders disagree: " + error, record.Value.ToArray()));
                return;
            }

            var now = clock.GetUtcNow();
            var place = NearestLocation(places, read);
            foreach (var (marker, kind) in _matches)
            {
                string? hitId = null;
                var candidate = -1;
                if (policy.TryAssess(marker, kind, read.CameraForce, read.ObservedAt, out var assessment))
                {
                    var hit = Hit.Create(read, marker, kind, place is null ? assessment : assessment.RaisedBy(place.Ref), now);
                    (hitId, candidate) = (hit.HitId, _candidates.Count);
                    _candidates.Add(hit);
                    _candidateRecords.Add(record);
                }

                // Every exact read of a marker with a position is a sighting of the vehicle, hit or not (in-force, say).
                // An ocr-equivalent read may be another vehicle: its position says nothing about the marked one.
                if (kind == MatchKind.Exact && HasPosition(read, out var lat, out var lon))
                {
                    _sightings.Add((marker.MarkerId, new Sighting(read.ReadId, hitId, read.ObservedAt.UtcTicks, lat, lon), candidate));
                }
            }
        }
        catch (Exception ex)
        {
            // Nothing of a read that failed half-way is kept: its other matches go with it to the dead-letter sink.
            _candidates.RemoveRange(candidatesBefore, _candidates.Count - candidatesBefore);
            _candidateRecords.RemoveRange(candidatesBefore, _candidateRecords.Count - candidatesBefore);
            _sightings.RemoveRange(sightingsBefore, _sightings.Count - sightingsBefore);
            _deadLetters.Add(new DeadLetter(record.Position, Internal("match", ex), record.Value.ToArray()));
        }
    }

    /// <summary>
    /// A hit is idempotent on (readId, markerId), so a read re-delivered after a crash finds its stored hit. A read that
    /// reuses a readId for a different sighting (a camera whose counter restarted, two vendors numbering alike) would
    /// find the earlier sighting's hit and vanish: no hit, no alert, nothing said. It is dead-lettered instead, naming
    /// the sighting that holds the id, and counted; the stored hit it collided with is not re-processed.
    /// </summary>
    private IReadOnlyList<Hit> SetAsideReusedReadIds(IReadOnlyList<Hit> candidates, IReadOnlyList<Hit> stored)
    {
        var byId = new Dictionary<string, Hit>(stored.Count, StringComparer.Ordinal);
        foreach (var hit in stored)
        {
            byId[hit.HitId] = hit;
        }

        HashSet<string>? sightedHere = null;
        HashSet<string>? collided = null;
        for (var i = 0; i < candidates.Count; i++)
        {
            var candidate = candidates[i];
            if (!byId.TryGetValue(candidate.HitId, out var holder))
            {
                continue;
            }

            if (SameSighting(candidate, holder))
            {
                (sightedHere ??= new(StringComparer.Ordinal)).Add(candidate.HitId);
                continue;
            }

            (collided ??= new(StringComparer.Ordinal)).Add(candidate.HitId);
            PipelineTelemetry.ReusedReadIds.Add(1);
            logger?.LogWarning("a readId was reused for a different sighting (camera {CameraId}); the read is dead-lettered: readIds must be unique per read", candidate.CameraId);
            var record = _candidateRecords[i];
            _deadLetters.Add(new DeadLetter(record.Position,
                $"readId already used for a different sighting (camera {holder.CameraId} at {holder.ObservedAt:yyyy-MM-dd'T'HH:mm:ss.fffzzz}); " +
                "this read was not stored or alerted: readIds must be unique per read (DESIGN §4.1)", record.Value.ToArray()));
        }

        // The stored hit is processed (counted, alerted if due) only if a read of this batch is that very sighting.
        return collided is null ? stored : stored.Where(h => !collided.Contains(h.HitId) || sightedHere?.Contains(h.HitId) == true).ToList();
    }

    /// <summary>
    /// An exact read confirms a misread only if one vehicle could have made both: 68 km in 30 seconds "confirmed" a
    /// misread as the marked plate. With a position missing (or 0,0) either way, nothing can be told and it confirms.
    /// </summary>
    private bool CouldBeTheSameVehicle(AlertedHitRef alert, Hit hit)
    {
        if (!HasPosition(alert.Lat, alert.Lon, out var alertLat, out var alertLon) || !HasPosition(hit.Lat, hit.Lon, out var lat, out var lon))
        {
            return true;
        }

        return !CloneRule.Impossible(new Sighting(alert.HitId, alert.HitId, alert.ObservedAt.UtcTicks, alertLat, alertLon),
            new Sighting(hit.ReadId, hit.HitId, hit.ObservedAt.UtcTicks, lat, lon), _clones.Options);
    }

    private static bool SameSighting(Hit read, Hit stored)
        => read.ObservedAt.ToUnixTimeMilliseconds() == stored.ObservedAt.ToUnixTimeMilliseconds()
           && string.Equals(read.CameraId, stored.CameraId, StringComparison.Ordinal)
           && read.CameraForce == stored.CameraForce;

    /// <summary>
    /// Any force's active, unexpired flagged location holding the read's position (a location is flagged by one force,
    /// but a vehicle can be seen anywhere): only reads that matched a marker get here, and the look-up allocates nothing.
    /// </summary>
    private static Location? NearestLocation(LocationIndex places, PlateRead read)
        => places.Count == 0 || !HasPosition(read, out var lat, out var lon) ? null : places.Nearest(lat, lon, Time.UkTime.DateOf(read.ObservedAt));

    /// <summary>
    /// A usable position: both coordinates, and not exactly 0,0, which cameras without a GPS fix send (in the Gulf of
    /// Guinea, it made every UK sighting a "possible clone" of it).
    /// </summary>
    private static bool HasPosition(PlateRead read, out double lat, out double lon) => HasPosition(read.Lat, read.Lon, out lat, out lon);

    private static bool HasPosition(double? maybeLat, double? maybeLon, out double lat, out double lon)
    {
        (lat, lon) = (maybeLat ?? 0, maybeLon ?? 0);
        return maybeLat is not null && maybeLon is not null && !(lat == 0 && lon == 0);
    }

    /// <summary>A failing destination is infrastructure: it must pause the batch, never be blamed on one of its reads.</summary>
    private static async Task DeliverAsync(string destination, Func<Task> delivery)
    {
        try
        {
            await delivery().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DeliveryFailedException)
        {
            throw new DeliveryFailedException(destination, ex);
        }
    }

    /// <summary>The dead-letter reason for an unexpected exception; the log line and metric name the stage, never a plate.</summary>
    private string Internal(string stage, Exception ex)
    {
        _internalErrors.Add(stage);
        logger?.LogError("internal error in stage {Stage} ({ExceptionType}): the read is dead-lettered and processing continues", stage, ex.GetType().Name);
        return $"internal: {stage} failed: {ex.GetType().Name}: {ex.Message}";
    }

    /// <summary>
    /// The clone check for this batch's sightings, in read order. One store query for all of the batch's matched
    /// markers brings in each one's latest stored hit, which another instance may have stored.
    /// </summary>
    private async Task CheckClonesAsync(CancellationToken cancellationToken)
    {
        var options = _clones.Options;
        var markers = new HashSet<string>(StringComparer.Ordinal);
        long earliest = long.MaxValue, latest = long.MinValue;
        foreach (var (marker, sighting, _) in _sightings)
        {
            markers.Add(marker);
            earliest = Math.Min(earliest, sighting.ObservedTicks);
            latest = Math.Max(latest, sighting.ObservedTicks);
        }

        var from = new DateTimeOffset(Math.Max(DateTimeOffset.MinValue.UtcTicks, earliest - options.Window.Ticks), TimeSpan.Zero);
        var to = new DateTimeOffset(Math.Min(DateTimeOffset.MaxValue.UtcTicks, latest + options.Window.Ticks), TimeSpan.Zero);
        foreach (var stored in await store.LatestSightingsAsync(markers, from, to, cancellationToken).ConfigureAwait(false))
        {
            // The store's sighting passes the same position test as this batch's own (0,0 is no position), whatever store answered.
            if (HasPosition(stored.Sighting.Lat, stored.Sighting.Lon, out _, out _))
            {
                _clones.Seed(stored.MarkerId, stored.Sighting);
            }
        }

        foreach (var (marker, sighting, candidate) in _sightings)
        {
            var verdict = _clones.Observe(marker, sighting);
            if (candidate >= 0 && verdict.PossibleClone)
            {
                _candidates[candidate] = _candidates[candidate] with { PossibleClone = true, CloneOfHitId = verdict.CloneOfHitId };
            }
        }
    }

    /// <summary>
    /// Suppression looks at alerted hits already stored and at those decided earlier in this batch, within the repeat
    /// window either side of the hit's observed time (a late read of a sighting already alerted is a repeat too). An
    /// exact hit suppressed by an ocr-equivalent alert of the same marker confirms that alert (DESIGN §8) instead of
    /// vanishing.
    /// </summary>
    private async Task<IReadOnlyList<Hit>> GateAsync(List<Hit> candidates, CancellationToken cancellationToken)
    {
        var processedAt = mode == PipelineMode.Live ? clock.GetUtcNow() : (DateTimeOffset?)null;
        var alertedInBatch = new Dictionary<(string Marker, string Force), List<AlertedHitRef>>();
        var confirmedInBatch = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<Hit>(candidates.Count);

        // The batch's suppression state from the store in one query: every alerted hit of its markers from the earliest
        // window start to the latest window end, grouped by (marker, camera force).
        var stored = new Dictionary<(string Marker, string Force), List<AlertedHitRef>>();
        if (candidates.Count > 0)
        {
            var markers = candidates.Select(h => h.MarkerId).Distinct(StringComparer.Ordinal).ToList();
            var earliest = candidates.Min(h => gate.WindowStart(h.ObservedAt));
            var latest = candidates.Max(h => gate.WindowEnd(h.ObservedAt));
            foreach (var alerted in await store.AlertedHitsAsync(markers, earliest, latest, cancellationToken).ConfigureAwait(false))
            {
                var storedKey = (alerted.MarkerId, alerted.CameraForce);
                if (!stored.TryGetValue(storedKey, out var list))
                {
                    stored[storedKey] = list = [];
                }

                list.Add(alerted.Hit);
            }
        }

        foreach (var hit in candidates)
        {
            var key = (hit.MarkerId, hit.CameraForce.Code);
            alertedInBatch.TryGetValue(key, out var earlier);
            stored.TryGetValue(key, out var inStore);
            var suppressor = Suppressor(hit, earlier, inStore);
            var reason = gate.Decide(hit.ObservedAt, processedAt, suppressor?.ObservedAt);
            var decided = hit with { NotAlertedReason = reason };
            if (decided.Alerted)
            {
                if (earlier is null)
                {
                    alertedInBatch[key] = earlier = [];
                }

                earlier.Add(new AlertedHitRef(hit.HitId, hit.ObservedAt, hit.MatchKind, null, hit.Lat, hit.Lon, hit.Priority));
            }
            else if (reason == NotAlertedReason.Suppressed && hit.MatchKind == MatchKind.Exact && suppressor is { MatchKind: MatchKind.OcrEquivalent } alert
                     && (alert.ConfirmingReadId is null || alert.ConfirmingReadId == hit.ReadId) && CouldBeTheSameVehicle(alert, hit) && confirmedInBatch.Add(alert.HitId))
            {
                // The first exact read confirms, whether observed after the alert or, arriving late, before it; a
                // re-processed one confirms again (its confirmation may not have been sent).
                decided = decided with { ConfirmsHitId = alert.HitId };
            }

            result.Add(decided);
        }

        return result;
    }

    /// <summary>
    /// The alerted hit (decided earlier in this batch, or stored and not this hit itself) that suppresses <paramref name="hit"/>: the
    /// latest observed in [observedAt − window, observedAt], ties by the greater hit id; else the earliest observed in
    /// (observedAt, observedAt + window], ties by the smaller hit id; null when none is within the window.
    /// </summary>
    private AlertedHitRef? Suppressor(Hit hit, List<AlertedHitRef>? inBatch, List<AlertedHitRef>? inStore)
    {
        AlertedHitRef? before = null;
        AlertedHitRef? after = null;
        foreach (var candidate in (inBatch ?? []).Concat((inStore ?? []).Where(s => s.HitId != hit.HitId)))
        {
            if (!gate.Suppresses(candidate.ObservedAt, hit.ObservedAt))
            {
                continue;
            }

            // A hit of higher priority than the alert (raised by a flagged CSE location, or urgent at night after a daytime
            // alert) is news to the control room: a lower-priority alert does not suppress it.
            if (candidate.Priority < hit.Priority)
            {
                continue;
            }

            // No hit is a repeat of an alert one vehicle could not have made it with: a cloned plate seen on the same
            // force's cameras, or the marked plate itself far from a "verify plate" alert, is a second vehicle the control
            // room has not been sent to. The test looks only at this pair (same marker, same camera force), never at the
            // possible-clone flag: that flag depends on sightings in other forces, which Kafka delivers in no fixed order
            // across partitions, while this pair is always read in one partition's order.
            if (!CouldBeTheSameVehicle(candidate, hit))
            {
                continue;
            }

            if (candidate.ObservedAt <= hit.ObservedAt)
            {
                if (before is null || candidate.ObservedAt > before.ObservedAt || (candidate.ObservedAt == before.ObservedAt && string.CompareOrdinal(candidate.HitId, before.HitId) > 0))
                {
                    before = candidate;
                }
            }
            else if (after is null || candidate.ObservedAt < after.ObservedAt || (candidate.ObservedAt == after.ObservedAt && string.CompareOrdinal(candidate.HitId, after.HitId) < 0))
            {
                after = candidate;
            }
        }

        return before ?? after;
    }

    /// <summary>
    /// Each confirmation is published as the confirmed alert again (same alertId, with confirmedAt and
    /// confirmingReadId), after the batch's own alerts, and marked delivered only once the sink acknowledged it.
    /// </summary>
    private async Task DeliverConfirmationsAsync(IReadOnlyList<Hit> gated, CancellationToken cancellationToken)
    {
        var confirmed = gated.Select(h => h.ConfirmsHitId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        if (confirmed.Length == 0)
        {
            return;
        }

        var pending = await store.UndeliveredConfirmationsAsync(confirmed, cancellationToken).ConfigureAwait(false);
        if (pending.Count == 0)
        {
            return;
        }

        await DeliverAsync("the alert sink", () => alerts.PublishAsync(pending, cancellationToken)).ConfigureAwait(false);
        await DeliverAsync("recording confirmation delivery", () => store.MarkConfirmationsDeliveredAsync(pending.Select(h => h.HitId).ToArray(), clock.GetUtcNow(), cancellationToken)).ConfigureAwait(false);
        stats.AddConfirmations(pending.Count);
    }
}

/// <summary>The shape of <see cref="ReadDecoder.Materialise"/>: the full read, or null with the reason.</summary>
internal delegate PlateRead? ReadMaterialiser(ReadOnlySpan<byte> json, out string? error);
