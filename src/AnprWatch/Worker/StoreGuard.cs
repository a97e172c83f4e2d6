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
    private (string HitId, DateTimeOffset ObservedAt)? _lastStored;
    private readonly StoreMemory _memory = new(StateFile(services));
    private bool _memoryWriteFailed;

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

    /// <summary>
    /// Reads the identity of the store serve starts with (after its schema has been checked). When
    /// <c>Storage:ExpectedStoreId</c> pins it, a store with another id stops serve with exit 2: a restart must not
    /// quietly adopt a store swapped in while it was down (an empty copy, the test database, another force's).
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var id = await services.Database.ReadStoreIdAsync(cancellationToken).ConfigureAwait(false);
        if (services.Options.ExpectedStoreId is { } pinned && !string.Equals(pinned, id, StringComparison.OrdinalIgnoreCase))
        {
            throw new StoreMismatchException(
                $"{services.Database.Dialect.Describe()} has store id {id ?? "(none)"}, but Storage:ExpectedStoreId is {pinned}: " +
                "this is not the store this deployment writes to. Point Storage at the right store, or change the pin if the store was replaced on purpose.");
        }

        await CompareWithMemoryAsync(id, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _expected = id;
        }

        Remember();
        LogServing(services.Database.Dialect.Describe(), id ?? "(none)", _memory.Path ?? "(none: Storage:StateFile)");
    }

    /// <summary>
    /// The store serve finds at start against the one it last ran on (<see cref="StoreMemory"/>): another id means the
    /// store was replaced while serve was down, a missing newest hit that it was put back from an earlier copy. Either
    /// stops serve with exit 2 rather than adopting it; deleting the state file accepts the store on purpose. A pin
    /// (<c>Storage:ExpectedStoreId</c>) that matches the store overrides a remembered id: the operator said which store.
    /// </summary>
    private async Task CompareWithMemoryAsync(string? id, CancellationToken cancellationToken)
    {
        if (_memory.Read() is not { } remembered || id is null)
        {
            return;
        }

        var store = services.Database.Dialect.Describe();
        if (!string.Equals(remembered.StoreId, id, StringComparison.OrdinalIgnoreCase))
        {
            if (services.Options.ExpectedStoreId is not null)
            {
                return;
            }

            throw new StoreMismatchException(
                $"{store} has store id {id}, but serve last ran on store {remembered.StoreId} ({_memory.Path}): the store was replaced while serve " +
                $"was down. Point Storage at the right store; if the replacement was on purpose, delete {_memory.Path} and start serve again.");
        }

        if (remembered is { LastHitId: { } hitId, LastHitObservedAt: { } observed } && !Purgeable(observed)
            && !await services.Database.HitExistsAsync(hitId, cancellationToken).ConfigureAwait(false))
        {
            throw new StoreMismatchException(
                $"{store} no longer holds hit {hitId}, the newest serve stored before it stopped: it has been restored from an earlier copy or rolled " +
                $"back, and the hits stored since that copy are not in it. To accept the store as it is (then re-send the reads since the copy was " +
                $"taken), delete {_memory.Path} and start serve again.");
        }

        lock (_gate)
        {
            _lastStored = remembered is { LastHitId: { } last, LastHitObservedAt: { } at } ? (last, at) : null;
        }
    }

    /// <summary>Where serve keeps its memory of the store: <c>Storage:StateFile</c>, else beside a SQLite file, else nowhere.</summary>
    private static string? StateFile(AppServices services)
        => services.Options.StateFile switch
        {
            "none" => null,
            { } configured => Path.GetFullPath(configured),
            null => services.Database.Dialect is Storage.Dialects.SqliteDialect { IsFile: true } sqlite ? Path.GetFullPath(sqlite.DataSource) + ".serve-state.json" : null,
        };

    private void Remember()
    {
        StoreMemory.State state;
        lock (_gate)
        {
            if (_expected is null)
            {
                return;
            }

            state = new StoreMemory.State(_expected, _lastStored?.HitId, _lastStored?.ObservedAt);
        }

        try
        {
            _memory.Write(state);
            _memoryWriteFailed = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Hits are stored regardless: only the check at the next start is weaker. Said once per failure spell.
            if (!_memoryWriteFailed)
            {
                LogMemoryNotWritten(_memory.Path!, ex.Message);
            }

            _memoryWriteFailed = true;
        }
    }

    /// <summary>
    /// Remembers the newest hit this process has stored. A store put back from an earlier copy keeps its id, so the id
    /// check passes; that hit being gone is what shows hits were lost with it. Newest by when it was read, not the last
    /// of the last batch: a batch of old reads (a replay, a camera's backlog) must not replace a recent hit with one
    /// retention may purge, which the check skips, so a store restored from a copy taken before the recent hit would pass.
    /// </summary>
    public void Stored(IReadOnlyList<Hit> hits)
    {
        if (hits.Count > 0)
        {
            var newest = hits.MaxBy(h => h.ObservedAt)!;
            lock (_gate)
            {
                if (_lastStored is { } known && known.ObservedAt >= newest.ObservedAt)
                {
                    return;
                }

                _lastStored = (newest.HitId, newest.ObservedAt);
            }

            Remember();
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
                : await MissingLastHitAsync(store, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (FailureClassifier.IsCorrupt(ex))
        {
            problem = $"{FailureClassifier.CorruptStore} ({ex.Message})";
        }
        catch (Exception ex) when (FailureClassifier.IsPermissionDenied(ex))
        {
            // Not an outage that ends by itself: the login lacks a grant. Said with its fix, so /readyz and the log
            // tell the operator what to run instead of a pause that looks like waiting for the store.
            problem = FailureClassifier.DescribePermissionDenied(ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever the probe throws (a file that is not a database, a schema without the table), the answer is
            // "not usable now": it pauses the worker; it must never end the reload loop or the health check.
            problem = $"{store} cannot be opened: {ex.Message}";
        }

        Record(problem);
        return problem;
    }

    private async Task<string?> MissingLastHitAsync(string store, CancellationToken cancellationToken)
    {
        (string HitId, DateTimeOffset ObservedAt)? newest;
        lock (_gate)
        {
            newest = _lastStored;
        }

        if (newest is not { } last || await services.Database.HitExistsAsync(last.HitId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        if (Purgeable(last.ObservedAt))
        {
            lock (_gate)
            {
                _lastStored = null;
            }

            return null;
        }

        return $"{store} no longer holds hit {last.HitId}, the newest serve stored: it has been restored from an earlier copy or rolled back, " +
               "and the hits stored since that copy are not in it. To accept the store as it now is (then re-send the reads since the copy was " +
               (_memory.Path is { } state ? $"taken), stop serve, delete {state} and start it again" : "taken), restart serve");
    }

    /// <summary>
    /// Retention deletes old hits by design (a replayed batch of old reads is purged at the next housekeeping): such a
    /// hit being gone proves nothing. Exactly the purge's cut today (<see cref="AppServices.HitRetentionCut"/>): any purge
    /// that has run cut at or before it. No margin: at HitDays=1 a day's margin would call every hit purgeable and switch
    /// the check off.
    /// </summary>
    private bool Purgeable(DateTimeOffset observedAt) => observedAt < services.HitRetentionCut(Core.Time.UkTime.Today(services.Clock));

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

    [LoggerMessage(Level = LogLevel.Information, Message = "serving {Store}, store id {StoreId} (pin it with Storage:ExpectedStoreId), remembered in {StateFile}")]
    private partial void LogServing(string store, string storeId, string stateFile);

    [LoggerMessage(Level = LogLevel.Error, Message = "serve's memory of its store, {StateFile}, cannot be written ({Reason}): hits are still stored, but a restart cannot tell a store restored from an earlier copy")]
    private partial void LogMemoryNotWritten(string stateFile, string reason);

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

        var stored = await TranslateAsync(() => inner.SaveHitsAsync(hits, cancellationToken), cancellationToken).ConfigureAwait(false);

        // A pooled connection writes on into a deleted file: the hits are durable only if the configured store is
        // still the one serve started with. If not, the batch is retried (idempotently) and no offset moves.
        await guard.EnsureAsync(cancellationToken).ConfigureAwait(false);
        guard.Stored(stored);
        return stored;
    }

    public Task MarkAlertsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
        => TranslateAsync(async () =>
        {
            await inner.MarkAlertsDeliveredAsync(hitIds, at, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<AlertedHitInForce>> AlertedHitsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
        => TranslateAsync(() => inner.AlertedHitsAsync(markerIds, from, to, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<AnprWatch.Core.Hits.Clones.StoredSighting>> LatestSightingsAsync(IReadOnlyCollection<string> markerIds, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
        => TranslateAsync(() => inner.LatestSightingsAsync(markerIds, from, to, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Hit>> UndeliveredConfirmationsAsync(IReadOnlyList<string> hitIds, CancellationToken cancellationToken)
        => TranslateAsync(() => inner.UndeliveredConfirmationsAsync(hitIds, cancellationToken), cancellationToken);

    // Confirmations are written with their hits (SaveHitsAsync, guarded above); marking delivery is like marking alerts.
    public Task MarkConfirmationsDeliveredAsync(IReadOnlyList<string> hitIds, DateTimeOffset at, CancellationToken cancellationToken)
        => TranslateAsync(async () =>
        {
            await inner.MarkConfirmationsDeliveredAsync(hitIds, at, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// A store replaced by a file without AnprWatch's tables fails with "no such table", which alone would read as a
    /// schema error and stop serve. Asked first: is this still the store serve started with? If not, it is an outage
    /// (<see cref="StoreUnavailableException"/>, transient): the worker pauses and resumes when the right store is back.
    /// </summary>
    private async Task<T> TranslateAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or StoreUnavailableException))
        {
            if (await guard.CheckAsync(cancellationToken).ConfigureAwait(false) is { } problem)
            {
                throw new StoreUnavailableException(problem, ex);
            }

            throw;
        }
    }
}
