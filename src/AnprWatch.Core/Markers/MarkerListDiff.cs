namespace AnprWatch.Core.Markers;

public sealed record MarkerChange(Marker Before, Marker After, IReadOnlyList<string> Fields);

/// <summary>What replacing a force's active list would add, remove and change (markers keyed by VRM + suspect).</summary>
public sealed record MarkerListDiff(IReadOnlyList<Marker> Added, IReadOnlyList<Marker> Removed, IReadOnlyList<MarkerChange> Changed, int Unchanged)
{
    public static MarkerListDiff Compute(IEnumerable<Marker> current, IEnumerable<Marker> next)
    {
        // Within one force a marker's identity is (VRM, suspect reference), exactly what MarkerId hashes: keying by
        // the pair avoids building an id string for every marker of a million-row list.
        var before = current.ToDictionary(m => (m.Vrm, m.SuspectRef));
        var added = new List<Marker>();
        var changed = new List<MarkerChange>();
        var unchanged = 0;
        foreach (var marker in next)
        {
            if (!before.Remove((marker.Vrm, marker.SuspectRef), out var old))
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
