using System.Threading.Channels;

namespace AnprWatch.Board;

/// <summary>
/// One open board's queue of live events. A board that falls <see cref="Capacity"/> events behind is cut off
/// (<see cref="Overflowed"/>) rather than holding memory for ever; the page reconnects and reloads its window.
/// </summary>
public sealed class BoardSubscription : IDisposable
{
    public const int Capacity = 10_000;

    private readonly Channel<BoardEvent> _channel = Channel.CreateBounded<BoardEvent>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping silently
    });

    private readonly BoardFeed _feed;

    internal BoardSubscription(BoardFeed feed, string? force)
    {
        _feed = feed;
        Force = force;
    }

    /// <summary>The force code this board is filtered to, or null for all.</summary>
    public string? Force { get; }

    public bool Overflowed { get; private set; }

    public ChannelReader<BoardEvent> Events => _channel.Reader;

    internal void Offer(BoardEvent item)
    {
        if (!item.Concerns(Force) || Overflowed)
        {
            return;
        }

        if (!_channel.Writer.TryWrite(item))
        {
            Overflowed = true;
            _channel.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _feed.Remove(this);
    }
}
