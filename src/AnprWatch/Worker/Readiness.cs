namespace AnprWatch.Worker;

/// <summary>What <c>/readyz</c> reports besides the store: the index is loaded and the source has its assignment.</summary>
public sealed class Readiness
{
    private volatile bool _sourceReady;

    public bool SourceReady => _sourceReady;

    public string SourceState { get; private set; } = "starting";

    /// <summary>How far behind the source is, when it can tell (Kafka).</summary>
    public Func<long?> Lag { get; set; } = () => null;

    public void SetSource(bool ready, string state)
    {
        SourceState = state;
        _sourceReady = ready;
    }

    private volatile string? _indexProblem;

    /// <summary>
    /// Why the marker index cannot be reloaded from the store, when no retry can cure it (the login was refused a
    /// permission): the worker matches on an index that no longer follows the lists, so /readyz is 503 saying why.
    /// </summary>
    public string? IndexProblem => _indexProblem;

    public void SetIndexProblem(string? problem) => _indexProblem = problem;

    private volatile string? _locationProblem;

    /// <summary>The same for the flagged-location index: kept apart, so a marker reload that succeeds does not clear it.</summary>
    public string? LocationProblem => _locationProblem;

    public void SetLocationProblem(string? problem) => _locationProblem = problem;

    private readonly Lock _gate = new();
    private DateTimeOffset? _failingSince;
    private string? _failure;

    /// <summary>
    /// Since when the batch in hand has been failing and retried, and the last error; null while batches succeed.
    /// A store that answers probes but refuses writes (a lock held by another process, a corrupt page) looks healthy to
    /// the store check, yet nothing is stored: this is what tells /readyz.
    /// </summary>
    public (DateTimeOffset Since, string Error)? Failing
    {
        get
        {
            lock (_gate)
            {
                return _failingSince is { } since ? (since, _failure ?? "") : null;
            }
        }
    }

    public void BatchFailed(DateTimeOffset now, string error)
    {
        lock (_gate)
        {
            _failingSince ??= now;
            _failure = error;
        }
    }

    public void BatchSucceeded()
    {
        lock (_gate)
        {
            _failingSince = null;
            _failure = null;
        }
    }
}
