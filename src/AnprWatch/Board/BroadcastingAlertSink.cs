using AnprWatch.Core.Hits;
using AnprWatch.Core.Pipeline;

namespace AnprWatch.Board;

/// <summary>
/// The pipeline's alert sink with the boards behind it: the pipeline publishes only hits it has durably stored, and
/// once the real destination (the alert topic or the folder's alerts file) has acknowledged them they go to every
/// board open on this instance, with no store query.
/// </summary>
public sealed class BroadcastingAlertSink(IAlertSink inner, BoardFeed feed) : IAlertSink
{
    public async Task PublishAsync(IReadOnlyList<Hit> alertedHits, CancellationToken cancellationToken)
    {
        await inner.PublishAsync(alertedHits, cancellationToken).ConfigureAwait(false);
        feed.PublishAlerts(alertedHits);
    }
}
