using System.Collections.Concurrent;
using AnprWatch.Core.Hits;
using AnprWatch.Storage.Hits;

namespace AnprWatch.Board;

/// <summary>
/// The one source of live events for every board open on this instance. Alerts come from the pipeline's own flow
/// (<see cref="BroadcastingAlertSink"/>, after a batch is durably stored) and outcomes from this instance's API, both
/// in-process; what other instances record arrives through <see cref="BoardChangePoller"/>, one store query a tick for
/// the whole instance. Boards never poll the store: their only store query is their initial window (or Last-Event-ID
/// replay) when they connect.
/// </summary>
public sealed class BoardFeed
{
    private readonly ConcurrentDictionary<BoardSubscription, byte> _subscriptions = new();
    private readonly RecentIds _alerts = new(100_000);
    private readonly RecentIds _outcomes = new(100_000);
    private long _storeQueries;

    public int Subscribers => _subscriptions.Count;

    /// <summary>Store queries made on behalf of boards (initial windows and change polls), for the metric and the scale test.</summary>
    public long StoreQueries => Interlocked.Read(ref _storeQueries);

    internal void CountStoreQuery() => Interlocked.Increment(ref _storeQueries);

    public BoardSubscription Subscribe(string? force)
    {
        var subscription = new BoardSubscription(this, force);
        _subscriptions[subscription] = 0;
        return subscription;
    }

    internal void Remove(BoardSubscription subscription) => _subscriptions.TryRemove(subscription, out _);

    /// <summary>Newly stored alerted hits (no outcomes yet); a hit already passed on is skipped.</summary>
    public void PublishAlerts(IEnumerable<Hit> hits)
    {
        foreach (var hit in hits)
        {
            if (hit.Alerted && _alerts.Add(hit.HitId))
            {
                Broadcast(BoardJson.Alert(hit, []));
            }
        }
    }

    /// <summary>An acknowledgement or outcome just recorded; one already passed on is skipped.</summary>
    public void PublishOutcome(Outcome outcome)
    {
        if (_outcomes.Add(outcome.OutcomeId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            Broadcast(BoardJson.Outcome(outcome));
        }
    }

    private void Broadcast(BoardEvent item)
    {
        foreach (var subscription in _subscriptions.Keys)
        {
            subscription.Offer(item);
        }
    }
}
