using AnprWatch.Core.Hits;
using AnprWatch.Core.Hits.Clones;

namespace AnprWatch.Core.Pipeline;

/// <summary>Where a record came from: a file line (<see cref="Partition"/> &lt; 0) or a Kafka partition and offset.</summary>
public readonly record struct SourcePosition(int Partition, long Offset)
{
    public static SourcePosition Line(long line) => new(-1, line);

    public bool IsLine => Partition < 0;

    public override string ToString() => IsLine ? $"line {Offset}" : $"partition {Partition} offset {Offset}";
}

public readonly record struct SourceRecord(ReadOnlyMemory<byte> Value, SourcePosition Position);

/// <summary>A batch of raw reads. <see cref="State"/> lets a source remember what to acknowledge.</summary>
public sealed class ReadBatch(IReadOnlyList<SourceRecord> records, object? state = null)
{
    public IReadOnlyList<SourceRecord> Records { get; } = records;
    public object? State { get; } = state;
}

public interface IReadSource
{
    /// <summary>The next batch, or null when the source is exhausted (a file) or stopping.</summary>
    ValueTask<ReadBatch?> NextBatchAsync(CancellationToken cancellationToken);

    /// <summary>Called only after the batch's hits are durable and its alerts delivered: the source may now commit.</summary>
    ValueTask CompleteAsync(ReadBatch batch, CancellationToken cancellationToken);
}

public interface IHitStore
{
    /// <summary>
    /// Stores hits in one transaction, ignoring any (readId, markerId) already stored, and returns the stored version
    /// of every hit passed in: a re-processed read gets its original decision back, never a second one.
    /// </summary>
    Task<IReadOnlyList<Hit>> SaveHitsAsync(IReadOnlyList<Hit> hits, CancellationToken cancellationToken);

    /// <summary>Records that these hits' alerts were acknowledged, so re-processing their reads sends nothing again.</summary>
    Task MarkAlertsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Every alerted hit of these markers observed in [from, to], with its camera force: a batch's suppression state in
    /// one query (per 1,000 markers) instead of one round trip per candidate hit. The latest of them in a hit's window
    /// decides its suppression; its match kind and confirmation decide whether an exact read confirms it (DESIGN §8).
    /// </summary>
    Task<IReadOnlyList<AlertedHitInForce>> AlertedHitsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>
    /// For each marker, its latest stored exact hit with a position observed in [from, to]: one query per batch, so a
    /// sighting stored by another instance (reads are partitioned by camera force) takes part in the clone check.
    /// </summary>
    Task<IReadOnlyList<StoredSighting>> LatestSightingsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The confirmed hits among <paramref name="hitIds"/> whose confirmation has not yet been delivered to the alert sink.</summary>
    Task<IReadOnlyList<Hit>> UndeliveredConfirmationsAsync(IReadOnlyList<string> hitIds, CancellationToken cancellationToken);

    /// <summary>Records that these hits' confirmations were acknowledged by the alert sink.</summary>
    Task MarkConfirmationsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>The alerted hit that decides suppression, as the gate needs it.</summary>
/// <param name="Lat">Where the alerted read was made (null: no position), so a confirming read can be checked for plausibility.</param>
public sealed record AlertedHitRef(string HitId, DateTimeOffset ObservedAt, MatchKind MatchKind, string? ConfirmingReadId, double? Lat = null, double? Lon = null, Priority Priority = Priority.Urgent);

/// <summary>An alerted hit with the marker and camera force its suppression is keyed by.</summary>
public sealed record AlertedHitInForce(string MarkerId, string CameraForce, AlertedHitRef Hit);

public interface IAlertSink
{
    /// <summary>Returns once every alert is acknowledged by its destination.</summary>
    Task PublishAsync(IReadOnlyList<Hit> alertedHits, CancellationToken cancellationToken);
}

public sealed record DeadLetter(SourcePosition Position, string Reason, ReadOnlyMemory<byte> Raw);

public interface IDeadLetterSink
{
    Task WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken);
}

/// <summary>
/// An alert or dead-letter destination failed. Never a read's fault: the worker pauses and retries the batch (its hits
/// are stored; an alert not yet acknowledged is sent again), and no read is dead-lettered or lost for it.
/// </summary>
public sealed class DeliveryFailedException(string destination, Exception inner)
    : Exception($"{destination} failed: {inner.GetType().Name}: {inner.Message}", inner);
