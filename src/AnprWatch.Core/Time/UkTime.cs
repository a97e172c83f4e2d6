namespace AnprWatch.Core.Time;

/// <summary>
/// UK local time (Europe/London). Every date a user types or reads (report ranges, expiry, review dates, the
/// night-time priority window) is a UK local date, so BST is honoured everywhere through this one place.
/// </summary>
public static class UkTime
{
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public static DateTime ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone).DateTime;

    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(ToLocal(instant));

    public static int HourOf(DateTimeOffset instant) => ToLocal(instant).Hour;

    /// <summary>The instant a UK local day starts (midnight is never skipped or repeated in the UK).</summary>
    public static DateTimeOffset StartOfDay(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, Zone), TimeSpan.Zero);
    }

    /// <summary>[start of <paramref name="from"/>, start of the day after <paramref name="to"/>): both dates inclusive.</summary>
    public static (DateTimeOffset Start, DateTimeOffset EndExclusive) Range(DateOnly from, DateOnly to)
        => (StartOfDay(from), StartOfDay(to.AddDays(1)));

    public static DateOnly Today(TimeProvider clock) => DateOf(clock.GetUtcNow());
}
