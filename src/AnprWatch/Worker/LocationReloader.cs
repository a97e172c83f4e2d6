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
public sealed partial class LocationReloader(AppServices services, LocationIndexHolder holder, ServeOptions options, StoreGuard guard, ILogger<LocationReloader> logger) : BackgroundService
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "location index reload failed, keeping the current index: {Reason}")]
    private partial void LogReloadFailed(string reason);
}
