namespace AnprWatch.Board;

/// <summary>
/// The ids an instance has already passed to its boards, the newest <see cref="Capacity"/> of them: the in-process
/// broadcast and the change cursor both see a local hit or outcome, and a board must get it once.
/// </summary>
internal sealed class RecentIds(int capacity)
{
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public int Capacity { get; } = capacity;

    /// <summary>True when <paramref name="id"/> was not seen before (and is now).</summary>
    public bool Add(string id)
    {
        lock (_set)
        {
            if (!_set.Add(id))
            {
                return false;
            }

            _order.Enqueue(id);
            if (_order.Count > Capacity)
            {
                _set.Remove(_order.Dequeue());
            }

            return true;
        }
    }
}
