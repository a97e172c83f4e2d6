namespace AnprWatch.Core.Hits.Clones;

/// <summary>
/// The possible-clone rule's settings (<c>Matching:Clone*</c>, DESIGN §8). Two exact sightings of one marker flag the
/// later-processed hit when they are at least <see cref="MinDistanceKm"/> apart and the implied speed, over a time
/// difference of at least <see cref="MinInterval"/>, exceeds <see cref="SpeedKmh"/>.
/// </summary>
public sealed record CloneOptions
{
    public static CloneOptions Default { get; } = new();

    /// <summary><c>Matching:CloneSpeedKmh</c>: the fastest a real vehicle is believed to travel between two cameras.</summary>
    public double SpeedKmh { get; init; } = 200;

    /// <summary>
    /// <c>Matching:CloneMinDistanceKm</c>: sightings closer than this never flag, whatever the time: two cameras on one
    /// site (or neighbouring sites) read the same car within a second, and their surveyed positions differ by metres.
    /// </summary>
    public double MinDistanceKm { get; init; } = 5;

    /// <summary>
    /// <c>Matching:CloneMinInterval</c>: a time difference shorter than this counts as this long, so camera clocks a few
    /// seconds apart cannot turn a short hop into an impossible speed.
    /// </summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>Matching:CloneWindow</c>: sightings further apart in time than this are never compared.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(2);

    /// <summary><c>Matching:CloneSightings</c>: recent sightings kept in memory per marker (a ring; the oldest processed goes first).</summary>
    public int SightingsPerMarker { get; init; } = 8;
}
