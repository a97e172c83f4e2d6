using System.Collections.Concurrent;
using AnprWatch.Core.Hits;

namespace AnprWatch.Core.Pipeline;

/// <summary>Running totals; written by one pipeline, read by summaries, health and telemetry.</summary>
public sealed class PipelineStats
{
    private long _reads;
    private long _deadLetters;
    private long _hits;
    private long _alerted;
    private long _suppressed;
    private long _stale;
    private long _inForce;
    private long _batches;
    private long _internalErrors;
    private long _possibleClones;
    private long _confirmations;

    public long Reads => Interlocked.Read(ref _reads);
    public long DeadLetters => Interlocked.Read(ref _deadLetters);
    public long Hits => Interlocked.Read(ref _hits);
    public long Alerted => Interlocked.Read(ref _alerted);
    public long Suppressed => Interlocked.Read(ref _suppressed);
    public long Stale => Interlocked.Read(ref _stale);
    public long InForce => Interlocked.Read(ref _inForce);
    public long OutOfForce => Hits - InForce;
    public long Batches => Interlocked.Read(ref _batches);
    public long InternalErrors => Interlocked.Read(ref _internalErrors);

    /// <summary>Hits stored as possible clones.</summary>
    public long PossibleClones => Interlocked.Read(ref _possibleClones);

    /// <summary>Ocr-equivalent alerts confirmed by an exact read, and their confirmations sent.</summary>
    public long Confirmations => Interlocked.Read(ref _confirmations);

    internal void AddConfirmations(int count) => Interlocked.Add(ref _confirmations, count);

    internal void AddInternalError() => Interlocked.Increment(ref _internalErrors);

    /// <summary>Reads dead-lettered whole by the worker (isolated after a deterministic failure) count as read and dead-lettered.</summary>
    public void AddDeadLettered(int reads)
    {
        Interlocked.Add(ref _reads, reads);
        Interlocked.Add(ref _deadLetters, reads);
        Interlocked.Add(ref _internalErrors, reads);
        PipelineTelemetry.DeadLetters.Add(reads);
    }

    public ConcurrentDictionary<string, long> HitsByCameraForce { get; } = new(StringComparer.Ordinal);

    internal void AddBatch(int reads, int deadLetters)
    {
        Interlocked.Add(ref _reads, reads);
        Interlocked.Add(ref _deadLetters, deadLetters);
        Interlocked.Increment(ref _batches);
    }

    internal void AddHit(Hit hit)
    {
        Interlocked.Increment(ref _hits);
        if (hit.PossibleClone)
        {
            Interlocked.Increment(ref _possibleClones);
        }
        if (hit.InForce)
        {
            Interlocked.Increment(ref _inForce);
        }

        switch (hit.NotAlertedReason)
        {
            case NotAlertedReason.None:
                Interlocked.Increment(ref _alerted);
                break;
            case NotAlertedReason.Suppressed:
                Interlocked.Increment(ref _suppressed);
                break;
            case NotAlertedReason.Stale:
                Interlocked.Increment(ref _stale);
                break;
        }

        HitsByCameraForce.AddOrUpdate(hit.CameraForce.Code, 1, (_, n) => n + 1);
    }
}
