using AnprWatch.Core.Markers;
using AnprWatch.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Worker;

/// <summary>
/// Loads the marker index at start and rebuilds it whenever any force's active list changes (polling the list
/// generation), off the hot path; the pipeline sees the new index from its next batch.
/// </summary>
public sealed partial class MarkerReloader(AppServices services, MarkerIndexHolder holder, ServeOptions options, StoreGuard guard, Readiness readiness, ILogger<MarkerReloader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ReloadInterval, services.Clock);
        do
        {
            // The periodic store probe: a vanished or replaced store is noticed (and logged, and /readyz told) even
            // when no batch stores a hit, and an index is never rebuilt from a store that is not the right one.
            if (await guard.CheckAsync(stoppingToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            try
            {
                var generation = await services.Markers.GetGenerationAsync(stoppingToken).ConfigureAwait(false);
                if (!holder.IsLoaded || generation != holder.Current.Version)
                {
                    var index = await Task.Run(() => services.BuildIndexAsync(stoppingToken), stoppingToken).ConfigureAwait(false);
                    holder.Swap(index, services.Clock.GetUtcNow());
                    LogSwapped(index.Version, index.Count);

                    // No forced GC here: a blocking, compacting full collection paused matching on every reload, and the
                    // runtime reclaims the old index in its own time (benchmarks/README records RSS with 1M markers).
                }

                readiness.SetIndexProblem(null);
            }
            catch (Exception ex) when (FailureClassifier.IsPermissionDenied(ex))
            {
                // Retrying cannot cure a missing grant, and a list imported since would never reach matching: say so
                // loudly once (and /readyz on every probe) instead of a quiet warning every tick for ever.
                var problem = "the marker index cannot be reloaded: " + FailureClassifier.DescribePermissionDenied(ex);
                if (readiness.IndexProblem != problem)
                {
                    LogReloadRefused(problem);
                }

                readiness.SetIndexProblem(problem);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever the rebuild throws, matching goes on with the index it has: a failed reload must never end
                // this loop (the host would stop) or leave the pipeline without an index.
                LogReloadFailed(ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "marker index generation {Generation} is live with {Count} markers")]
    private partial void LogSwapped(long generation, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "MARKER RELOAD REFUSED: {Problem}. Matching goes on with the current index (or none); /readyz answers 503 until the grant is fixed")]
    private partial void LogReloadRefused(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "marker index reload failed, keeping the current index: {Reason}")]
    private partial void LogReloadFailed(string reason);
}
