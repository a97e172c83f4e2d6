namespace AnprWatch.Board;

/// <summary>
/// One server-sent event for the boards: <c>alert</c> (a hit, with its outcome history; <see cref="Id"/> is its feed
/// cursor) or <c>outcome</c> (an acknowledgement or outcome recorded on a hit; no id, so it never moves a board's
/// Last-Event-ID). The forces let a board filtered by force pick its events without parsing them.
/// </summary>
public sealed record BoardEvent(string Name, string? Id, string Data, string CameraForce, string HostForce)
{
    public bool Concerns(string? force) => force is null || CameraForce == force || HostForce == force;

    /// <summary>The event in the text/event-stream wire format.</summary>
    public string Wire => Id is null ? $"event: {Name}\ndata: {Data}\n\n" : $"id: {Id}\nevent: {Name}\ndata: {Data}\n\n";
}
