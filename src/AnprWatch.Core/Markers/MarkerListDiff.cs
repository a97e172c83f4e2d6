namespace AnprWatch.Core.Markers;

public sealed record MarkerChange(Marker Before, Marker After, IReadOnlyList<string> Fields);

/// <summary>What replacing a force's active list would add, remove and change (markers keyed by VRM + suspect).</summary>
public sealed record MarkerListDiff(IReadOnlyList<Marker> Added, IReadOnlyList<Marker> Removed, IReadOnlyList<MarkerChange> Changed, int Unchanged)
{
    public static MarkerListDiff Compute(IEnumerable<Marker> current, IEnumerable<Marker> next)
    {
        var before = current.ToDictionary(m => m.MarkerId);
        var added = new List<Marker>();
        var changed = new List<MarkerChange>();
        var unchanged = 0;
        foreach (var marker in next)
        {
            if (!before.Remove(marker.MarkerId, out var old))
            {
                added.Add(marker);
                continue;
            }

            var fields = old.ChangedFields(marker);
            if (fields.Count == 0)
            {
                unchanged++;
            }
            else
            {
                changed.Add(new MarkerChange(old, marker, fields));
            }
        }

        return new MarkerListDiff(added, before.Values.ToList(), changed, unchanged);
    }
}
