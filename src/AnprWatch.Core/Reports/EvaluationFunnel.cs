using System.Text.Json.Nodes;
using AnprWatch.Core.Hits;

namespace AnprWatch.Core.Reports;

/// <summary>
/// What became of alerted hits (DESIGN §4.5 "funnel"): of the alerted hits, how many were acknowledged, dispatched,
/// stopped, and ended in each result, with each stage's share of the alerted hits. A hit counts once per status,
/// however many times that status was recorded on it. Overall, and by camera force, priority and match kind.
/// </summary>
public static class EvaluationFunnel
{
    /// <summary>The stages after "alerted", in the order a control room reaches them.</summary>
    public static readonly string[] Stages = ["acknowledged", "dispatched", "stopped", "disruption", "safeguarding", "no-trace", "false-hit"];

    public static JsonObject Build(IReadOnlyList<Hit> hits, IReadOnlyDictionary<string, List<OutcomeRecord>> byHit)
    {
        var alerted = hits.Where(h => h.Alerted).ToList();
        return new JsonObject
        {
            ["overall"] = Stage(alerted, byHit),
            ["byCameraForce"] = By(alerted, h => h.CameraForce.Code, byHit),
            ["byPriority"] = By(alerted, h => h.Priority.Label(), byHit),
            ["byMatchKind"] = By(alerted, h => h.MatchKind.Label(), byHit),
        };
    }

    private static JsonObject By(List<Hit> alerted, Func<Hit, string> key, IReadOnlyDictionary<string, List<OutcomeRecord>> byHit)
    {
        var json = new JsonObject();
        foreach (var group in alerted.GroupBy(key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            json[group.Key] = Stage(group.ToList(), byHit);
        }

        return json;
    }

    private static JsonObject Stage(List<Hit> alerted, IReadOnlyDictionary<string, List<OutcomeRecord>> byHit)
    {
        var json = new JsonObject { ["alerted"] = alerted.Count };
        var rates = new JsonObject();
        foreach (var stage in Stages)
        {
            var n = alerted.Count(h => byHit.TryGetValue(h.HitId, out var list) && list.Any(o => o.Status == stage));
            json[stage] = n;

            // A share of the alerted hits, to three places; null (not 0) when nothing was alerted, since 0/0 is no rate.
            rates[stage] = alerted.Count == 0 ? null : Math.Round((double)n / alerted.Count, 3);
        }

        json["rates"] = rates;
        return json;
    }
}
