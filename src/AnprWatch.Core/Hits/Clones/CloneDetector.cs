namespace AnprWatch.Core.Hits.Clones;

/// <summary>
/// Possible cloned plates (DESIGN §8): per marker, a small ring of its recent exact sightings (every exact read of the
/// marker with a position, hit or not, kept in memory only). A new sighting is compared with the nearest held
/// sightings before and after it in time; if either pair is impossible for one vehicle, its hit is a possible clone of
/// that sighting. Only matched reads reach this class, so the miss path never touches it. Single-threaded: one
/// pipeline owns one detector.
/// </summary>
public sealed class CloneDetector(CloneOptions options)
{
    private readonly Dictionary<string, SightingRing> _rings = new(StringComparer.Ordinal);
    private long _latestTicks = long.MinValue;
    private int _sinceSweep;

    public CloneOptions Options => options;

    /// <summary>Markers with sightings held (for tests and metrics).</summary>
    public int MarkersHeld => _rings.Count;

    /// <summary>
    /// Adds a sighting known from elsewhere (the store's latest hit of the marker, maybe from another instance) unless
    /// the ring already holds that read.
    /// </summary>
    public void Seed(string markerId, in Sighting sighting)
    {
        var ring = Ring(markerId);
        if (!ring.Contains(sighting.ReadId))
        {
            ring.Add(sighting);
        }
    }

    /// <summary>Judges a sighting against the held ones, then holds it.</summary>
    public CloneVerdict Observe(string markerId, in Sighting sighting)
    {
        var ring = Ring(markerId);
        var verdict = CloneVerdict.None;
        var (before, after) = ring.Neighbours(sighting.ReadId, sighting.ObservedTicks, options.Window.Ticks);
        if (before >= 0 && CloneRule.Impossible(ring[before], sighting, options))
        {
            verdict = new CloneVerdict(true, ring[before].HitId);
        }
        else if (after >= 0 && CloneRule.Impossible(ring[after], sighting, options))
        {
            verdict = new CloneVerdict(true, ring[after].HitId);
        }

        if (!ring.Contains(sighting.ReadId))
        {
            ring.Add(sighting);
        }

        _latestTicks = Math.Max(_latestTicks, sighting.ObservedTicks);
        if (++_sinceSweep >= 4096)
        {
            Sweep();
        }

        return verdict;
    }

    private SightingRing Ring(string markerId)
    {
        if (!_rings.TryGetValue(markerId, out var ring))
        {
            _rings[markerId] = ring = new SightingRing(options.SightingsPerMarker);
        }

        return ring;
    }

    /// <summary>Drops rings with nothing inside the window of the newest sighting: memory follows the markers seen lately.</summary>
    private void Sweep()
    {
        _sinceSweep = 0;
        var cutoff = _latestTicks - 2 * options.Window.Ticks;
        foreach (var (marker, ring) in _rings)
        {
            if (ring.LatestTicks < cutoff)
            {
                _rings.Remove(marker);
            }
        }
    }
}
