using AnprWatch.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Board;

/// <summary>
/// What other instances record reaches this instance's boards through one change cursor per instance, not one per
/// board: every <c>Board:ChangePoll</c> (1 s), while at least one board is open, one store round trip (two short
/// indexed statements: alerted hits and outcomes recorded since the cursor). Each cursor looks back
/// <see cref="Overlap"/> so a transaction that committed late is still seen; what was passed on already is skipped.
/// </summary>
public sealed partial class BoardChangePoller(AppServices services, BoardFeed feed, BoardOptions options, ILogger<BoardChangePoller> logger) : BackgroundService
{
    /// <summary>How far each poll looks back behind its cursor: a hit's recorded time is set before its batch commits.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(30);

    private const int Limit = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var start = services.Clock.GetUtcNow();
        var alertsCursor = start;
        var outcomesCursor = start;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Real time, not the app clock: a test's fixed clock must not freeze the boards.
                await Task.Delay(options.ChangePoll, TimeProvider.System, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (feed.Subscribers == 0)
            {
                // Nobody is watching: start from now when someone is (their window comes from their own query).
                alertsCursor = outcomesCursor = services.Clock.GetUtcNow();
                continue;
            }

            try
            {
                feed.CountStoreQuery();
                var hits = await services.Hits.AlertedAfterAsync((alertsCursor - Overlap).ToUnixTimeMilliseconds(), "", null, Limit, stoppingToken).ConfigureAwait(false);
                var outcomes = await services.Outcomes.RecordedSinceAsync(outcomesCursor - Overlap, Limit, stoppingToken).ConfigureAwait(false);
                feed.PublishAlerts(hits);
                foreach (var outcome in outcomes)
                {
                    feed.PublishOutcome(outcome);
                }

                alertsCursor = Advance(alertsCursor, hits.Count == 0 ? null : hits[^1].RecordedAt, hits.Count);
                outcomesCursor = Advance(outcomesCursor, outcomes.Count == 0 ? null : outcomes[^1].RecordedAt, outcomes.Count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A store outage pauses cross-instance changes only; local ones still flow, and the next tick retries.
                LogPollFailed(ex.GetType().Name, ex.Message);
            }
        }
    }

    /// <summary>
    /// A full page moves the cursor to its last row (the next poll continues from there); otherwise to the newest row
    /// seen, never backwards.
    /// </summary>
    private static DateTimeOffset Advance(DateTimeOffset cursor, DateTimeOffset? newest, int count)
    {
        if (newest is not { } last)
        {
            return cursor;
        }

        return count >= Limit ? last + Overlap : last > cursor ? last : cursor;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "board change poll failed: {Kind}: {Message}")]
    private partial void LogPollFailed(string kind, string message);
}
