namespace AnprWatch.Worker;

/// <summary>
/// Set when the worker cannot go on (the consumer failed, the store's schema is wrong): <c>serve</c> then stops and
/// exits 1 instead of 0, so systemd (<c>Restart=on-failure</c>) and Kubernetes restart it.
/// </summary>
public sealed class WorkerFault
{
    private Exception? _failure;

    public Exception? Failure => Volatile.Read(ref _failure);

    public void Record(Exception failure) => Interlocked.CompareExchange(ref _failure, failure, null);
}
