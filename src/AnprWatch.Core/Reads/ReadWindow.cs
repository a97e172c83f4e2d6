namespace AnprWatch.Core.Reads;

/// <summary>
/// The span of <c>observedAt</c> a read may carry (<c>Reads:EarliestObservedAt</c>, <c>Reads:MaxAheadOfClock</c>).
/// A timestamp outside it is a camera or producer fault, not a sighting: it is dead-lettered, and nothing downstream
/// (UK local time, the repeat window, retention) ever does arithmetic near <see cref="DateTimeOffset.MinValue"/>.
/// </summary>
public sealed record ReadWindow(DateTimeOffset Earliest, TimeSpan MaxAheadOfClock)
{
    public static readonly ReadWindow Default = new(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(1));

    /// <summary>The same text whenever it is given (no clock in it), so a re-processed read's dead letter is recognised as one.</summary>
    public string Describe()
        => $"field 'observedAt' is outside the accepted window (from {Earliest.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} to " +
           $"{MaxAheadOfClock.TotalHours:0.#} h ahead of the clock)";
}
