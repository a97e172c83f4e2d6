namespace AnprWatch.Core.Markers;

/// <summary>
/// The live marker index. The index and when it was loaded are one immutable snapshot published through one volatile
/// reference, so a reader never sees a new index with an old load time (or "loaded" before the index is there).
/// </summary>
public sealed class MarkerIndexHolder
{
    private Snapshot? _snapshot;

    /// <summary>The index the next batch uses; empty until the first load.</summary>
    public MarkerIndex Current => Volatile.Read(ref _snapshot)?.Index ?? MarkerIndex.Empty;

    /// <summary>The whole published state, read once: use this when two of its parts must agree.</summary>
    public Snapshot? Live => Volatile.Read(ref _snapshot);

    /// <summary>True once an index built from the store (even an empty one) has been installed.</summary>
    public bool IsLoaded => Volatile.Read(ref _snapshot) is not null;

    public DateTimeOffset? LoadedAt => Volatile.Read(ref _snapshot)?.LoadedAt;

    public void Swap(MarkerIndex next, DateTimeOffset at) => Volatile.Write(ref _snapshot, new Snapshot(next, at));

    public sealed record Snapshot(MarkerIndex Index, DateTimeOffset LoadedAt);
}
