using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Time;

namespace AnprWatch.Core.Hits;

/// <summary>What the policy decided about one match before alert gating.</summary>
public readonly record struct HitAssessment(bool InForce, Priority Priority, bool ReviewOverdue, bool VerifyPlate)
{
    /// <summary>The flagged location (DESIGN §8) whose circle held the read and raised the priority, or null.</summary>
    public string? LocationRef { get; init; }

    /// <summary>The read was inside an active flagged location: one step up (routine → high → urgent), and say which.</summary>
    public HitAssessment RaisedBy(string locationRef) => this with { Priority = HitPolicy.RaiseOneStep(Priority), LocationRef = locationRef };
}

/// <summary>
/// Turns a match into a hit (DESIGN §3 "Hit policy") and sets its priority. Only active lists are in the index,
/// so rule 1 reduces to expiry here.
/// </summary>
public sealed class HitPolicy(AlertingOptions options)
{
    public static readonly TimeOnly NightStarts = new(22, 0);
    public static readonly TimeOnly NightEnds = new(6, 0);

    public bool TryAssess(Marker marker, MatchKind kind, Force cameraForce, DateTimeOffset observedAt, out HitAssessment assessment)
    {
        assessment = default;
        var local = UkTime.ToLocal(observedAt);
        var ukDate = DateOnly.FromDateTime(local);
        if (!marker.CoversDate(ukDate) || !options.RiskLevels.Contains(marker.Risk))
        {
            return false;
        }

        var inForce = cameraForce == marker.HostForce;
        if (inForce && !options.IncludeInForce)
        {
            return false;
        }

        assessment = new HitAssessment(inForce, PriorityOf(marker.Risk, local), ukDate > marker.ReviewDue, kind == MatchKind.OcrEquivalent);
        return true;
    }

    /// <summary>A flagged location raises a hit one step: routine → high, high → urgent; urgent stays urgent.</summary>
    public static Priority RaiseOneStep(Priority priority) => priority switch
    {
        Priority.Routine => Priority.High,
        _ => Priority.Urgent,
    };

    /// <summary>urgent = HIGH risk seen 22:00–06:00 UK local time; high = other HIGH; routine = everything else.</summary>
    public static Priority PriorityOf(RiskLevel risk, DateTime ukLocal)
    {
        if (risk != RiskLevel.High)
        {
            return Priority.Routine;
        }

        var time = TimeOnly.FromDateTime(ukLocal);
        return time >= NightStarts || time < NightEnds ? Priority.Urgent : Priority.High;
    }
}
