namespace AnprWatch.Core.Markers;

public sealed record MarkerChange(Marker Before, Marker After, IReadOnlyList<string> Fields)
{
    /// <summary>Old → new for each changed field: "risk_level HIGH → MEDIUM" says night-time urgency goes, a name alone does not.</summary>
    public IReadOnlyList<FieldChange> Changes => Before.FieldChanges(After);
}

/// <summary>
/// What replacing a force's active list would add, remove and change (markers keyed by VRM + suspect). The counts
/// are exact; the lists hold the first <see cref="DetailLimit"/> of each, so a million-marker change stays in bounds.
/// </summary>
public sealed record MarkerListDiff(
    IReadOnlyList<Marker> Added, int AddedCount, IReadOnlyList<Marker> Removed, int RemovedCount, IReadOnlyList<MarkerChange> Changed, int ChangedCount, int Unchanged)
{
    /// <summary>More than anyone can review line by line; the counts say how many more there are.</summary>
    public const int DetailLimit = 10_000;

    /// <summary>The markers to store: the new list, with later review dates kept when asked (see <see cref="KeptReviews"/>).</summary>
    public IReadOnlyList<Marker>? Replacement { get; init; }

    /// <summary>
    /// Markers whose review date in the current list is later than the new file's: a review recorded in AnprWatch
    /// after the PNC export was taken. The later date is kept, so re-importing the export does not undo the review.
    /// </summary>
    public int KeptReviews { get; init; }

    /// <summary>The markers whose later review date was kept (the first <see cref="DetailLimit"/>), to name them.</summary>
    public IReadOnlyList<Marker> KeptReviewMarkers { get; init; } = [];

    /// <summary>
    /// Of the current list, how many markers the caller's <c>matching</c> rule counts (those that alert), and how many of
    /// those the new list removes; null when no rule was given. The removal guard weighs these, so padding a list with
    /// rows that never alert cannot hide the loss of the ones that do.
    /// </summary>
    public (int Current, int Removed)? Matching { get; init; }

    /// <summary>How many markers the current list holds.</summary>
    public int CurrentCount => RemovedCount + ChangedCount + Unchanged;

    public static MarkerListDiff Compute(IEnumerable<Marker> current, IReadOnlyList<Marker> next, Func<Marker, bool>? matching = null)
    {
        var builder = new Builder(next, matching: matching);
        foreach (var marker in current)
        {
            builder.Compare(marker);
        }

        return builder.Finish();
    }

    /// <summary>
    /// The current list is streamed and compared one marker at a time against the new list, so a million-marker
    /// replacement never holds both lists: only the markers that differ are kept from the current one.
    /// </summary>
    /// <param name="reviewedHere">
    /// For a current marker whose review date is later than the new file's: true when that date was set in AnprWatch
    /// (a review) since the file's source last supplied it, so the later date is kept. Null keeps nothing.
    /// </param>
    public static async Task<MarkerListDiff> ComputeAsync(IAsyncEnumerable<Marker> current, IReadOnlyList<Marker> next, CancellationToken cancellationToken, Func<Marker, bool>? reviewedHere = null, Func<Marker, bool>? matching = null)
    {
        var builder = new Builder(next, reviewedHere, matching);
        await foreach (var marker in current.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            builder.Compare(marker);
        }

        return builder.Finish();
    }

    private sealed class Builder
    {
        private readonly IReadOnlyList<Marker> _next;
        private readonly Marker[]? _kept;
        private readonly Func<Marker, bool>? _reviewedHere;
        private readonly List<Marker> _keptDetail = [];
        private int _keptReviews;
        private readonly Func<Marker, bool>? _matching;
        private int _currentMatching;
        private int _removedMatching;

        // Within one force a marker's identity is (VRM, suspect reference), exactly what MarkerId hashes: keying by
        // the pair avoids building an id string for every marker of a million-row list.
        private readonly Dictionary<(string Vrm, string SuspectRef), int> _positions;
        private readonly bool[] _matched;
        private readonly List<Marker> _removed = [];
        private readonly List<(int Position, MarkerChange Change)> _changed = [];
        private int _removedCount;
        private int _changedCount;
        private int _unchanged;

        public Builder(IReadOnlyList<Marker> next, Func<Marker, bool>? reviewedHere = null, Func<Marker, bool>? matching = null)
        {
            _next = next;
            _matching = matching;
            _reviewedHere = reviewedHere;
            _kept = reviewedHere is null ? null : [.. next];
            _positions = new Dictionary<(string, string), int>(next.Count);
            for (var i = 0; i < next.Count; i++)
            {
                _positions[(next[i].Vrm, next[i].SuspectRef)] = i;
            }

            _matched = new bool[next.Count];
        }

        public void Compare(Marker old)
        {
            var matches = _matching?.Invoke(old) ?? false;
            _currentMatching += matches ? 1 : 0;
            if (!_positions.TryGetValue((old.Vrm, old.SuspectRef), out var i))
            {
                _removedMatching += matches ? 1 : 0;
                if (++_removedCount <= DetailLimit)
                {
                    _removed.Add(old);
                }

                return;
            }

            _matched[i] = true;
            var incoming = _next[i];
            if (_kept is not null && old.ReviewDue > incoming.ReviewDue && _reviewedHere!(old))
            {
                _kept[i] = incoming = incoming with { ReviewDue = old.ReviewDue };
                if (++_keptReviews <= DetailLimit)
                {
                    _keptDetail.Add(incoming);
                }
            }

            var fields = old.ChangedFields(incoming);
            if (fields.Count == 0)
            {
                _unchanged++;
            }
            else if (++_changedCount <= DetailLimit)
            {
                _changed.Add((i, new MarkerChange(old, incoming, fields)));
            }
        }

        /// <summary>Added and changed in the new file's order; removed by plate, whatever order the store streamed them in.</summary>
        public MarkerListDiff Finish()
        {
            var added = new List<Marker>();
            var addedCount = 0;
            for (var i = 0; i < _next.Count; i++)
            {
                if (!_matched[i] && ++addedCount <= DetailLimit)
                {
                    added.Add(_next[i]);
                }
            }

            var replacement = _kept ?? _next;

            var removed = _removed.OrderBy(m => m.Vrm, StringComparer.Ordinal).ThenBy(m => m.SuspectRef, StringComparer.Ordinal).ToList();
            var changed = _changed.OrderBy(c => c.Position).Select(c => c.Change).ToList();
            return new MarkerListDiff(added, addedCount, removed, _removedCount, changed, _changedCount, _unchanged) { Replacement = replacement, KeptReviews = _keptReviews, KeptReviewMarkers = _keptDetail, Matching = _matching is null ? null : (_currentMatching, _removedMatching) };
        }
    }
}
