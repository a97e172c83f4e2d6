using System.Globalization;
using System.Text.Json.Nodes;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Time;

namespace AnprWatch.Core.Reports;

/// <summary>An outcome recorded against a hit, as the report needs it; <see cref="Reason"/> only for false-hit / no-trace.</summary>
public sealed record OutcomeRecord(string HitId, string Status, DateTimeOffset RecordedAt, string? Reason = null);

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
        DateOnly from, DateOnly to, ReportScope scope, IEnumerable<Hit> hits, IEnumerable<OutcomeRecord> outcomes, IEnumerable<Marker> activeMarkers, DateOnly today,
        IEnumerable<Marker>? markersAtEnd = null)
    {
        var inScope = hits.Where(h => scope.Includes(h.HostForce) && UkTime.DateOf(h.ObservedAt) is var d && d >= from && d <= to).ToList();
        var markers = activeMarkers.Where(m => scope.Includes(m.HostForce)).ToList();

        // Review compliance at the period's end: the in-scope markers of the list versions active then (a marker removed
        // or replaced since still counts), not expired by that day. Without that history, today's markers stand in.
        var atEnd = (markersAtEnd ?? activeMarkers).Where(m => scope.Includes(m.HostForce) && m.CoversDate(to)).ToList();
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

            // DESIGN §4.5 extension (§8): the figures the HTML used to compute alone, and the outcome funnel.
            ["perSuspect"] = PerGroup(inScope, h => h.SuspectRef, byHit, withSuspect: false),
            ["perMarker"] = PerGroup(inScope, h => h.MarkerId, byHit, withSuspect: true),
            ["movement"] = Movement(inScope),
            ["funnel"] = EvaluationFunnel.Build(inScope, byHit),
            ["timeToAcknowledge"] = new JsonObject
            {
                ["count"] = toAcknowledge.Count,
                ["p50Minutes"] = Percentile(toAcknowledge, 50),
                ["p90Minutes"] = Percentile(toAcknowledge, 90),
            },
            ["reasons"] = Reasons(byHit),
            ["reviewCompliance"] = new JsonObject
            {
                ["asOf"] = Iso(to),
                ["active"] = atEnd.Count,
                ["overdue"] = atEnd.Count(m => m.ReviewDue < to),
            },
        };
        return new EvaluationReport(json, inScope);
    }

    /// <summary>Counts per key; the named keys are always present, others only when non-zero, in a stable order.</summary>
    internal static JsonObject Counts(IEnumerable<string> values, string[] always)
    {
        var counts = values.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var json = new JsonObject();
        foreach (var key in always.Concat(counts.Keys.Except(always).Order(StringComparer.Ordinal)))
        {
            json[key] = counts.GetValueOrDefault(key);
        }

        return json;
    }

    /// <summary>Hits, alerted hits and the hits with each recorded status, per suspect reference or per marker.</summary>
    private static JsonObject PerGroup(List<Hit> hits, Func<Hit, string> key, Dictionary<string, List<OutcomeRecord>> byHit, bool withSuspect)
    {
        var json = new JsonObject();
        foreach (var group in hits.GroupBy(key, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var entry = new JsonObject();
            if (withSuspect)
            {
                entry["suspectRef"] = group.First().SuspectRef;
            }

            entry["hits"] = group.Count();
            entry["alerted"] = group.Count(h => h.Alerted);
            entry["outcomes"] = Counts(group.SelectMany(h => byHit.TryGetValue(h.HitId, out var list) ? list.Select(o => o.Status).Distinct() : []), []);
            json[group.Key] = entry;
        }

        return json;
    }

    /// <summary>Host force → camera force → hits: where flagged vehicles travel from the force that flagged them.</summary>
    private static JsonObject Movement(List<Hit> hits)
    {
        var json = new JsonObject();
        foreach (var host in hits.GroupBy(h => h.HostForce.Code, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            json[host.Key] = Counts(host.Select(h => h.CameraForce.Code), []);
        }

        return json;
    }

    /// <summary>Outcome records per reason, for the statuses that must give one (false-hit, no-trace).</summary>
    private static JsonObject Reasons(Dictionary<string, List<OutcomeRecord>> byHit)
    {
        var records = byHit.Values.SelectMany(o => o).Where(o => o.Reason is not null).ToList();
        var json = new JsonObject();
        foreach (var status in new[] { "false-hit", "no-trace" })
        {
            json[status] = Counts(records.Where(o => o.Status == status).Select(o => o.Reason!), []);
        }

        return json;
    }

    /// <summary>Nearest-rank percentile (the smallest value with at least p % of values at or below it), 0.1 min.</summary>
    private static double? Percentile(List<double> sorted, int p)
        => sorted.Count == 0 ? null : Math.Round(sorted[(int)Math.Ceiling(p / 100.0 * sorted.Count) - 1], 1);

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
                // Text as it is (a spreadsheet shows O'Neil, not O\u0027Neil); numbers and booleans in their JSON form.
                yield return (section, prefix, node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString() ?? "");
                break;
        }
    }
}
