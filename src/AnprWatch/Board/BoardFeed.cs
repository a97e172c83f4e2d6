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
    private readonly RecentIds _confirmations = new(100_000);
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
            if (!hit.Alerted)
            {
                continue;
            }

            // A confirmed misread (DESIGN §8) is the same alert again, now with confirmedAt: it must reach boards that
            // already show the unverified card, so it travels as its own event, not as an alert they would skip.
            if (hit.ConfirmedAt is not null)
            {
                if (_confirmations.Add(hit.HitId))
                {
                    Broadcast(BoardJson.Confirmation(hit));
                }
            }
            else if (_alerts.Add(hit.HitId))
            {
                Broadcast(BoardJson.Alert(hit, []));
            }
        }
    }

    /// <summary>
    /// An alert as another instance published it on the alert topic (DESIGN §4.3 JSON; each alert comes twice, one
    /// copy per routed force). It has no feed cursor, so it carries no event id; a hit already passed on is skipped.
    /// </summary>
    public void PublishAlertMessage(ReadOnlySpan<byte> json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)?.AsObject() ?? throw new System.Text.Json.JsonException("the alert is not a JSON object");
        var hitId = node["hitId"]?.GetValue<string>() ?? throw new System.Text.Json.JsonException("the alert has no hitId");
        var camera = node["cameraForce"]?["code"]?.GetValue<string>() ?? "";
        var host = node["hostForce"]?["code"]?.GetValue<string>() ?? "";
        var confirmation = node["confirmedAt"] is not null;
        if (confirmation ? _confirmations.Add(hitId) : _alerts.Add(hitId))
        {
            node.Remove("routedTo");
            node["outcomes"] = new System.Text.Json.Nodes.JsonArray();
            Broadcast(new BoardEvent(confirmation ? "confirmation" : "alert", null, node.ToJsonString(Core.Hits.ContractJson.Options), camera, host));
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
