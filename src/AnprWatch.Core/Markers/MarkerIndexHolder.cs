namespace AnprWatch.Core.Markers;

/// <summary>
/// Holds the index the pipeline matches against. A reload builds a complete new index off the hot path and
/// swaps this one reference, so no read ever sees a half-built index.
/// </summary>
public sealed class MarkerIndexHolder
{
    private MarkerIndex _current = MarkerIndex.Empty;

    public MarkerIndex Current => Volatile.Read(ref _current);

    /// <summary>True once an index built from the store (even an empty one) has been installed.</summary>
    public bool IsLoaded { get; private set; }

    public DateTimeOffset? LoadedAt { get; private set; }

    public void Swap(MarkerIndex next, DateTimeOffset at)
    {
        Volatile.Write(ref _current, next);
        LoadedAt = at;
        IsLoaded = true;
    }
}
