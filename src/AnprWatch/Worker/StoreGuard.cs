using System.Data.Common;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Pipeline;
using AnprWatch.Hosting;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Worker;

/// <summary>
/// Knows which store serve started with (its random id, written by migration 0003) and checks, over a fresh probe
/// connection, that the configured store is still that one: after a batch stored hits, on every reload tick, and on
/// every <c>/readyz</c>. A store that vanished or was replaced pauses the worker (<see cref="StoreUnavailableException"/>,
/// transient, so the batch is retried and no offset moves), makes <c>/readyz</c> 503 and is logged loudly; pooled
/// connections, which may still hold the old file, are dropped; the worker resumes when the right store is back.
/// </summary>
public sealed partial class StoreGuard(AppServices services, ILogger<StoreGuard> logger)
{
    private readonly Lock _gate = new();
    private string? _expected;
    private string? _problem;
    private bool _checked;

    /// <summary>Why the store is not usable at the last check, or null while it is the one serve started with.</summary>
    public string? Problem
    {
        get
        {
            lock (_gate)
            {
                return _problem;
            }
        }
    }

    public string? ExpectedStoreId
    {
        get
        {
            lock (_gate)
            {
                return _expected;
            }
        }
    }

    /// <summary>Reads the identity of the store serve starts with (after its schema has been checked).</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var id = await services.Database.ReadStoreIdAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _expected = id;
        }
    }

    /// <summary>Probes the store; returns why it is unusable, or null when it is the expected one.</summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var store = services.Database.Dialect.Describe();
        string? problem;
        try
        {
            var id = await services.Database.ReadStoreIdAsync(cancellationToken).ConfigureAwait(false);
            string? expected;
            lock (_gate)
            {
                // A host that did not initialise (in-process tests) adopts the first store it sees.
                _expected ??= id;
                expected = _expected;
            }

            problem = id is null ? $"{store} is missing or is not an AnprWatch store"
                : id != expected ? $"{store} has been replaced: its store id is {id}, serve started with {expected}"
                : null;
        }
        catch (DbException ex)
        {
            problem = $"{store} cannot be opened: {ex.Message}";
        }

        Record(problem);
        return problem;
    }

    /// <summary>Throws <see cref="StoreUnavailableException"/> unless the configured store is the one serve started with.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (await CheckAsync(cancellationToken).ConfigureAwait(false) is { } problem)
        {
            throw new StoreUnavailableException(problem);
        }
    }

    private void Record(string? problem)
    {
        string? before;
        bool first;
        lock (_gate)
        {
            before = _problem;
            first = !_checked;
            _problem = problem;
            _checked = true;
        }

        if (problem is not null)
        {
            // A pooled connection may still hold the vanished or replaced file: the next open must find the path afresh.
            services.Database.Dialect.ClearPools();
            if (before != problem)
            {
                LogStoreUnavailable(problem);
            }
        }
        else if (before is not null && !first)
        {
            services.Database.Dialect.ClearPools();
            LogStoreBack(services.Database.Dialect.Describe());
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "STORE UNAVAILABLE: {Problem}. The worker is paused: no hit is stored, no alert sent and no offset moves until the store serve started with is back; /readyz answers 503")]
    private partial void LogStoreUnavailable(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "store available again: {Store} is the store serve started with; the worker resumes")]
    private partial void LogStoreBack(string store);
}

/// <summary>The worker's hit store: a batch's hits count as stored only once the store is known to be the right one.</summary>
public sealed class GuardedHitStore(IHitStore inner, StoreGuard guard) : IHitStore
{
    public async Task<IReadOnlyList<Hit>> SaveHitsAsync(IReadOnlyList<Hit> hits, CancellationToken cancellationToken)
    {
        if (hits.Count == 0)
        {
            return await inner.SaveHitsAsync(hits, cancellationToken).ConfigureAwait(false);
        }

        // Never write into a store already known to be wrong (a replaced file would take the hits and lose them).
        if (guard.Problem is not null)
        {
            await guard.EnsureAsync(cancellationToken).ConfigureAwait(false);
        }

        var stored = await inner.SaveHitsAsync(hits, cancellationToken).ConfigureAwait(false);

        // A pooled connection writes on into a deleted file: the hits are durable only if the configured store is
        // still the one serve started with. If not, the batch is retried (idempotently) and no offset moves.
        await guard.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }

    public Task MarkAlertsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
        => inner.MarkAlertsDeliveredAsync(hitIds, at, cancellationToken);

    public Task<AlertedHitRef?> LastAlertedHitAsync(string markerId, string cameraForce, DateTimeOffset from, DateTimeOffset to, string excludingHitId, CancellationToken cancellationToken)
        => inner.LastAlertedHitAsync(markerId, cameraForce, from, to, excludingHitId, cancellationToken);

    public Task<IReadOnlyList<AnprWatch.Core.Hits.Clones.StoredSighting>> LatestSightingsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
        => inner.LatestSightingsAsync(markerIds, from, to, cancellationToken);

    public Task<IReadOnlyList<Hit>> UndeliveredConfirmationsAsync(IReadOnlyList<string> hitIds, CancellationToken cancellationToken)
        => inner.UndeliveredConfirmationsAsync(hitIds, cancellationToken);

    // Confirmations are written with their hits (SaveHitsAsync, guarded above); marking delivery is like marking alerts.
    public Task MarkConfirmationsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
        => inner.MarkConfirmationsDeliveredAsync(hitIds, at, cancellationToken);
}
