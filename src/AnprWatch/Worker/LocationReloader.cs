using AnprWatch.Core.Locations;
using AnprWatch.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Worker;

/// <summary>
/// Loads the flagged-location index at start and rebuilds it whenever any force's active location list changes
/// (polling the location generation every Source:ReloadInterval), off the hot path; the pipeline uses the new index
/// from its next batch, as for markers. The marker reloader's store probe covers this store too: while the store
/// is not the right one, nothing is rebuilt.
/// </summary>
public sealed partial class LocationReloader(AppServices services, LocationIndexHolder holder, ServeOptions options, StoreGuard guard, Readiness readiness, ILogger<LocationReloader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ReloadInterval, services.Clock);
        do
        {
            if (guard.Problem is not null)
            {
                continue;
            }

            try
            {
                var generation = await services.Locations.GetGenerationAsync(stoppingToken).ConfigureAwait(false);
                if (!holder.IsLoaded || generation != holder.Current.Version)
                {
                    var index = await services.BuildLocationIndexAsync(stoppingToken).ConfigureAwait(false);
                    holder.Swap(index);
                    LogSwapped(index.Version, index.Count);
                }

                readiness.SetLocationProblem(null);
            }
            catch (Exception ex) when (FailureClassifier.IsPermissionDenied(ex))
            {
                // As for markers: a missing grant on the location tables (a version's logins.sql not applied) is never
                // cured by the next tick, and without it flagged locations never raise a hit. Loud once, and /readyz.
                var problem = "the location index cannot be reloaded: " + FailureClassifier.DescribePermissionDenied(ex);
                if (readiness.LocationProblem != problem)
                {
                    LogReloadRefused(problem);
                }

                readiness.SetLocationProblem(problem);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException)
            {
                LogReloadFailed(ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "location index generation {Generation} is live with {Count} raising locations")]
    private partial void LogSwapped(long generation, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "LOCATION RELOAD REFUSED: {Problem}. Matching goes on with the current location index (or none); /readyz answers 503 until the grant is fixed")]
    private partial void LogReloadRefused(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "location index reload failed, keeping the current index: {Reason}")]
    private partial void LogReloadFailed(string reason);
}
