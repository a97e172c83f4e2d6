using System.Globalization;
using System.Text.Json.Nodes;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Time;

namespace AnprWatch.Core.Reports;

/// <summary>An outcome recorded against a hit, as the report needs it.</summary>
public sealed record OutcomeRecord(string HitId, string Status, DateTimeOffset RecordedAt);

/// <summary>Whose markers the report covers: one host force, the forces of one region, or all (DESIGN §4.5).</summary>
public sealed record ReportScope(Force? Force, string? Region)
{
    public static ReportScope All { get; } = new(null, null);

    public bool Includes(Force hostForce) => Force is not null ? hostForce == Force : Region is null || hostForce.Region == Region;

    public JsonObject ToJson() => Force is not null ? new JsonObject { ["force"] = Force.Code } : Region is not null ? new JsonObject { ["region"] = Region } : [];
}

/// <summary>
/// The RIU evaluation (DESIGN §4.5), computed from the hits on in-scope markers observed in the period (UK local
/// dates, inclusive), the outcomes recorded on them, and today's active markers. Pure: the same inputs, the same
/// figures, whichever form (JSON, CSV, HTML) carries them.
/// </summary>
public sealed class EvaluationReport
{
    public static readonly string[] OutcomeKeys = ["acknowledged", "disruption", "safeguarding", "false-hit"];

    private EvaluationReport(JsonObject json, IReadOnlyList<Hit> hits)
    {
        Json = json;
        Hits = hits;
    }

    public JsonObject Json { get; }

    /// <summary>The in-scope hits the figures were computed from (for the HTML charts).</summary>
    public IReadOnlyList<Hit> Hits { get; }

    public static EvaluationReport Build(
        DateOnly from, DateOnly to, ReportScope scope, IEnumerable<Hit> hits, IEnumerable<OutcomeRecord> outcomes, IEnumerable<Marker> activeMarkers, DateOnly today)
    {
        var inScope = hits.Where(h => scope.Includes(h.HostForce) && UkTime.DateOf(h.ObservedAt) is var d && d >= from && d <= to).ToList();
        var markers = activeMarkers.Where(m => scope.Includes(m.HostForce)).ToList();
        var hitIds = inScope.Select(h => h.HitId).ToHashSet(StringComparer.Ordinal);
        var byHit = outcomes.Where(o => hitIds.Contains(o.HitId)).GroupBy(o => o.HitId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var byHour = new int[24];
        foreach (var hit in inScope)
        {
            byHour[UkTime.HourOf(hit.ObservedAt)]++;
        }

        var outcomeCounts = new JsonObject();
        foreach (var status in OutcomeKeys.Concat(byHit.Values.SelectMany(o => o).Select(o => o.Status)).Distinct())
        {
            outcomeCounts[status] = byHit.Values.Count(list => list.Any(o => o.Status == status));
        }

        // Minutes from the alert (the hit's recording) to its first acknowledgement, over acknowledged hits.
        var toAcknowledge = inScope
            .Where(h => byHit.TryGetValue(h.HitId, out var list) && list.Any(o => o.Status == "acknowledged"))
            .Select(h => (byHit[h.HitId].Where(o => o.Status == "acknowledged").Min(o => o.RecordedAt) - h.RecordedAt).TotalMinutes)
            .Order()
            .ToList();

        var json = new JsonObject
        {
            ["from"] = Iso(from),
            ["to"] = Iso(to),
            ["scope"] = scope.ToJson(),
            ["markers"] = new JsonObject
            {
                ["active"] = markers.Count,
                ["byRisk"] = new JsonObject
                {
                    ["HIGH"] = markers.Count(m => m.Risk == RiskLevel.High),
                    ["MEDIUM"] = markers.Count(m => m.Risk == RiskLevel.Medium),
                    ["LOW"] = markers.Count(m => m.Risk == RiskLevel.Low),
                },
                ["reviewOverdue"] = markers.Count(m => m.ReviewDue < today),
            },
            ["vehiclesFlagged"] = markers.Select(m => m.Vrm).Distinct(StringComparer.Ordinal).Count(),
            ["vehiclesWithHits"] = inScope.Select(h => h.MarkerVrm).Distinct(StringComparer.Ordinal).Count(),
            ["hits"] = new JsonObject
            {
                ["total"] = inScope.Count,
                ["outOfForce"] = inScope.Count(h => !h.InForce),
                ["inForce"] = inScope.Count(h => h.InForce),
                ["alerted"] = inScope.Count(h => h.Alerted),
                ["suppressed"] = inScope.Count(h => h.NotAlertedReason == NotAlertedReason.Suppressed),
                ["stale"] = inScope.Count(h => h.NotAlertedReason == NotAlertedReason.Stale),
                ["locationRaised"] = inScope.Count(h => h.LocationRef is not null), // DESIGN §8: read inside a flagged CSE location
                ["possibleClones"] = inScope.Count(h => h.PossibleClone),
                ["confirmedMisreads"] = inScope.Count(h => h.ConfirmedAt is not null),
                ["byMatchKind"] = new JsonObject
                {
                    ["exact"] = inScope.Count(h => h.MatchKind == MatchKind.Exact),
                    ["ocr-equivalent"] = inScope.Count(h => h.MatchKind == MatchKind.OcrEquivalent),
                },
                ["byRisk"] = Counts(inScope.Select(h => h.Risk.Label()), ["HIGH", "MEDIUM"]),
                ["byPriority"] = Counts(inScope.Select(h => h.Priority.Label()), ["urgent", "high", "routine"]),
                ["byCameraForce"] = Counts(inScope.Select(h => h.CameraForce.Code), []),
                ["byHostForce"] = Counts(inScope.Select(h => h.HostForce.Code), []),
                ["byHourUk"] = new JsonArray(byHour.Select(n => (JsonNode)n).ToArray()),
            },
            ["outcomes"] = outcomeCounts,
            ["medianMinutesToAcknowledge"] = toAcknowledge.Count == 0 ? null : Math.Round(Median(toAcknowledge), 1),
        };
        return new EvaluationReport(json, inScope);
    }

    /// <summary>Counts per key; the named keys are always present, others only when non-zero, in a stable order.</summary>
    private static JsonObject Counts(IEnumerable<string> values, string[] always)
    {
        var counts = values.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var json = new JsonObject();
        foreach (var key in always.Concat(counts.Keys.Except(always).Order(StringComparer.Ordinal)))
        {
            json[key] = counts.GetValueOrDefault(key);
        }

        return json;
    }

    private static double Median(List<double> sorted)
        => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The same figures as rows (<c>section,key,value</c>), for spreadsheets.</summary>
    public IEnumerable<(string Section, string Key, string Value)> Rows()
    {
        foreach (var (name, node) in Json)
        {
            foreach (var row in Flatten(name, "", node))
            {
                yield return row;
            }
        }
    }

    private static IEnumerable<(string, string, string)> Flatten(string section, string prefix, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    foreach (var row in Flatten(section, prefix.Length == 0 ? key : prefix + "." + key, child))
                    {
                        yield return row;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var row in Flatten(section, prefix + "." + i.ToString(CultureInfo.InvariantCulture), array[i]))
                    {
                        yield return row;
                    }
                }

                break;
            default:
                yield return (section, prefix, node?.ToJsonString().Trim('"') ?? "");
                break;
        }
    }
}
