namespace AnprWatch.Core.Hits;

/// <summary>
/// Decides whether a hit is alerted (DESIGN §3 "Alerting"). Stale is checked first: a stale hit is never alerted,
/// so it never suppresses another one. Suppression is symmetric in observed time: an alerted hit of the same marker
/// and camera force observed within <see cref="RepeatWindow"/> either side suppresses, so a read that arrives late
/// (a camera's backlog) does not alert again for a sighting that was already alerted after it.
/// </summary>
public sealed class AlertGate(AlertingOptions options)
{
    public TimeSpan RepeatWindow => options.RepeatWindow;

    /// <summary>The earliest observedAt that can suppress a hit at <paramref name="observedAt"/>, clamped at the calendar's start.</summary>
    public DateTimeOffset WindowStart(DateTimeOffset observedAt)
        => observedAt.UtcTicks - DateTimeOffset.MinValue.UtcTicks < options.RepeatWindow.Ticks ? DateTimeOffset.MinValue : observedAt - options.RepeatWindow;

    /// <summary>The latest observedAt that can suppress a hit at <paramref name="observedAt"/>, clamped at the calendar's end.</summary>
    public DateTimeOffset WindowEnd(DateTimeOffset observedAt)
        => DateTimeOffset.MaxValue.UtcTicks - observedAt.UtcTicks < options.RepeatWindow.Ticks ? DateTimeOffset.MaxValue : observedAt + options.RepeatWindow;

    /// <summary>True when an alerted hit observed at <paramref name="alerted"/> suppresses one observed at <paramref name="observedAt"/>.</summary>
    public bool Suppresses(DateTimeOffset alerted, DateTimeOffset observedAt)
        => alerted >= WindowStart(observedAt) && alerted <= WindowEnd(observedAt);

    /// <param name="processedAt">When the hit is processed live; null when replaying (each read is live at its own time).</param>
    /// <param name="nearestAlerted">
    /// The alerted hit for the same marker and camera force that suppresses this one, if any: the latest observed at
    /// or before it, else the earliest observed after it.
    /// </param>
    public NotAlertedReason Decide(DateTimeOffset observedAt, DateTimeOffset? processedAt, DateTimeOffset? nearestAlerted)
    {
        if (processedAt is { } now && now - observedAt > options.MaxReadAge)
        {
            return NotAlertedReason.Stale;
        }

        if (nearestAlerted is { } alerted && Suppresses(alerted, observedAt))
        {
            return NotAlertedReason.Suppressed;
        }

        return NotAlertedReason.None;
    }
}
