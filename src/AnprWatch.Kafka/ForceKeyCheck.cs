using AnprWatch.Core.Forces;
using Confluent.Kafka;

namespace AnprWatch.Kafka;

/// <summary>
/// Reads are produced keyed by their camera force code so that suppression (per marker per camera force) sees each
/// force's reads in order on one partition. A key in another casing or with spaces ("Wiltshire", "wiltshire ")
/// hashes to another partition, so one force's reads can be processed out of order by two instances. This turns the
/// key into "is it a canonical force code", without allocating, and the source counts the ones that are not
/// (<c>anprwatch.reads.noncanonical_keys</c>) so the producer can be fixed.
/// </summary>
public sealed class ForceKeyCheck : IDeserializer<bool>
{
    public bool Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull || data.IsEmpty || data.Length > ForceRegistry.MaxCodeLength)
        {
            return false;
        }

        Span<char> code = stackalloc char[ForceRegistry.MaxCodeLength];
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] > 0x7F)
            {
                return false;
            }

            code[i] = (char)data[i];
        }

        var key = code[..data.Length];
        return ForceRegistry.TryGet(key, out var force) && key.SequenceEqual(force.Code);
    }
}
