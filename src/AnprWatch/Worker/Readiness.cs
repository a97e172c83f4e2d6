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
}
