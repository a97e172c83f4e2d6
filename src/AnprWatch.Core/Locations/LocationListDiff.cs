using AnprWatch.Core.Markers;

namespace AnprWatch.Core.Locations;

/// <summary>One location a replacement changes, with old → new for each changed field.</summary>
public sealed record LocationChange(Location Before, Location After)
{
    public IReadOnlyList<FieldChange> Changes => Before.FieldChanges(After);
}

/// <summary>
/// What replacing a force's active location list would add, remove and change, keyed by location_ref (compared
/// without case, as the reader's duplicate check does). Location lists are small (tens to hundreds of places), so
/// both lists are held.
/// </summary>
public sealed record LocationListDiff(IReadOnlyList<Location> Added, IReadOnlyList<Location> Removed, IReadOnlyList<LocationChange> Changed, int Unchanged)
{
    /// <summary>The locations both lists hold unchanged (a force's list is small: kept whole, for the removal guard).</summary>
    public IReadOnlyList<Location> UnchangedLocations { get; init; } = [];

    /// <summary>How many unchanged locations the rule counts (those that raise priority).</summary>
    public int UnchangedRaising(Func<Location, bool> raising) => UnchangedLocations.Count(raising);

    public static LocationListDiff Compute(IReadOnlyList<Location> current, IReadOnlyList<Location> next)
    {
        var old = current.ToDictionary(l => l.Ref, StringComparer.OrdinalIgnoreCase);
        var added = new List<Location>();
        var changed = new List<LocationChange>();
        var unchanged = new List<Location>();
        foreach (var location in next)
        {
            if (!old.Remove(location.Ref, out var before))
            {
                added.Add(location);
            }
            else if (before.FieldChanges(location).Count > 0)
            {
                changed.Add(new LocationChange(before, location));
            }
            else
            {
                unchanged.Add(before);
            }
        }

        var removed = old.Values.OrderBy(l => l.Ref, StringComparer.Ordinal).ToList();
        return new LocationListDiff(added, removed, changed, unchanged.Count) { UnchangedLocations = unchanged };
    }
}
