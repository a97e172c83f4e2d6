namespace AnprWatch.Core.Hits;

/// <summary>
/// Decides whether a hit is alerted (DESIGN §3 "Alerting"). Stale is checked first: a stale hit is never alerted,
/// so it never suppresses a later one.
/// </summary>
public sealed class AlertGate(AlertingOptions options)
{
    public TimeSpan RepeatWindow => options.RepeatWindow;

    /// <summary>The earliest observedAt that can suppress a hit at <paramref name="observedAt"/>, clamped at the calendar's start.</summary>
    public DateTimeOffset WindowStart(DateTimeOffset observedAt)
        => observedAt.UtcTicks - DateTimeOffset.MinValue.UtcTicks < options.RepeatWindow.Ticks ? DateTimeOffset.MinValue : observedAt - options.RepeatWindow;

    /// <param name="processedAt">When the hit is processed live; null when replaying (each read is live at its own time).</param>
    /// <param name="lastAlerted">The latest alerted hit for the same marker and camera force observed at or before this one.</param>
    public NotAlertedReason Decide(DateTimeOffset observedAt, DateTimeOffset? processedAt, DateTimeOffset? lastAlerted)
    {
        if (processedAt is { } now && now - observedAt > options.MaxReadAge)
        {
            return NotAlertedReason.Stale;
        }

        if (lastAlerted is { } last && last <= observedAt && observedAt - last <= options.RepeatWindow)
        {
            return NotAlertedReason.Suppressed;
        }

        return NotAlertedReason.None;
    }
}
