using Confluent.Kafka;

namespace AnprWatch.Kafka;

/// <summary>
/// Message bytes for one batch, copied into a few large reusable slabs instead of a new array per message. A batch's
/// messages live until the batch is durable, long enough for per-message arrays to survive a collection and be
/// promoted; slabs are recycled with the batch and never become garbage.
/// </summary>
internal sealed class MessageArena
{
    private const int SlabBytes = 1 << 20;

    private readonly List<byte[]> _slabs = [NewSlab()];
    private int _slab;
    private int _offset;

    private static byte[] NewSlab() => GC.AllocateUninitializedArray<byte>(SlabBytes);

    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> data)
    {
        if (data.Length > SlabBytes / 4)
        {
            return data.ToArray(); // rare and large: not worth a slab's room
        }

        if (_offset + data.Length > SlabBytes)
        {
            if (++_slab == _slabs.Count)
            {
                _slabs.Add(NewSlab());
            }

            _offset = 0;
        }

        var memory = new Memory<byte>(_slabs[_slab], _offset, data.Length);
        data.CopyTo(memory.Span);
        _offset += data.Length;
        return memory;
    }

    /// <summary>Forgets the contents (the batch is done) and keeps the slabs for the next batch.</summary>
    public void Reset()
    {
        _slab = 0;
        _offset = 0;
    }
}

/// <summary>Hands Confluent's value bytes to the arena of the batch being filled (called on the consuming thread).</summary>
internal sealed class ArenaDeserializer : IDeserializer<ReadOnlyMemory<byte>>
{
    public MessageArena? Current { get; set; }

    public ReadOnlyMemory<byte> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        => isNull ? ReadOnlyMemory<byte>.Empty : Current!.Copy(data);
}
