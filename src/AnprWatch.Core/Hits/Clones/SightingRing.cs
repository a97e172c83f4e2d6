namespace AnprWatch.Core.Hits.Clones;

/// <summary>
/// The last few sightings of one marker in processing order, in a fixed array: a new one overwrites the oldest, so
/// a marker seen all day costs the same memory as one seen twice.
/// </summary>
internal sealed class SightingRing(int capacity)
{
    private readonly Sighting[] _items = new Sighting[capacity];
    private int _next;
    private int _count;

    /// <summary>The latest observedAt held, to let idle rings be dropped.</summary>
    public long LatestTicks { get; private set; } = long.MinValue;

    public bool Contains(string readId)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_items[i].ReadId, readId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public void Add(in Sighting sighting)
    {
        _items[_next] = sighting;
        _next = (_next + 1) % _items.Length;
        _count = Math.Min(_count + 1, _items.Length);
        LatestTicks = Math.Max(LatestTicks, sighting.ObservedTicks);
    }

    /// <summary>
    /// The held sightings nearest in time before (or at) and after <paramref name="ticks"/>, within
    /// <paramref name="windowTicks"/>, other than the read itself. A late read is compared with both neighbours, so
    /// sightings arriving out of order are judged against where the vehicle really was around that time.
    /// </summary>
    public (int Before, int After) Neighbours(string readId, long ticks, long windowTicks)
    {
        int before = -1, after = -1;
        for (var i = 0; i < _count; i++)
        {
            ref readonly var s = ref _items[i];
            if (string.Equals(s.ReadId, readId, StringComparison.Ordinal) || Math.Abs(s.ObservedTicks - ticks) > windowTicks)
            {
                continue;
            }

            if (s.ObservedTicks <= ticks)
            {
                if (before < 0 || s.ObservedTicks > _items[before].ObservedTicks)
                {
                    before = i;
                }
            }
            else if (after < 0 || s.ObservedTicks < _items[after].ObservedTicks)
            {
                after = i;
            }
        }

        return (before, after);
    }

    public ref readonly Sighting this[int index] => ref _items[index];
}
