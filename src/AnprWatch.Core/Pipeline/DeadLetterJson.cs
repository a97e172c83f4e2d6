using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace AnprWatch.Core.Pipeline;

/// <summary>
/// The one shape of a dead letter, for files and topics alike: where it came from (<c>line</c>, or <c>partition</c>
/// and <c>offset</c>), the <c>reason</c>, the <c>raw</c> text, and <c>rawBase64</c> when the bytes are not UTF-8 so
/// nothing is lost.
/// </summary>
public static class DeadLetterJson
{
    /// <summary>
    /// The most the <c>raw</c> text of one dead letter may take once escaped. Escaping grows text up to sixfold (a
    /// control byte becomes <c>\u0001</c>), an invalid byte becomes a three-byte U+FFFD, so the raw bytes kept are cut
    /// where their escaped form reaches this budget, not at a byte count: uncapped, a file of control bytes made dead
    /// letters six times its size (a full disk that never cleared) and a large read exceeded a broker's message
    /// limit. A cut read is identified whole by <c>rawBytes</c> and <c>rawSha256</c>.
    /// </summary>
    public const int MaxRawBytes = 64 * 1024;

    public static byte[] Encode(DeadLetter letter)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (letter.Position.IsLine)
            {
                writer.WriteNumber("line", letter.Position.Offset);
            }
            else
            {
                writer.WriteNumber("partition", letter.Position.Partition);
                writer.WriteNumber("offset", letter.Position.Offset);
            }

            writer.WriteString("reason", letter.Reason);
            var raw = letter.Raw.Span;
            var kept = KeptLength(raw);
            if (kept < raw.Length)
            {
                writer.WriteNumber("rawBytes", raw.Length);
                writer.WriteString("rawSha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(raw)));
                writer.WriteBoolean("rawTruncated", true);
                raw = raw[..kept];
            }

            writer.WriteString("raw", Encoding.UTF8.GetString(raw));
            if (!Utf8.IsValid(raw))
            {
                writer.WriteBase64String("rawBase64", raw);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>How many leading bytes fit <see cref="MaxRawBytes"/> once escaped, cut on a UTF-8 sequence boundary.</summary>
    public static int KeptLength(ReadOnlySpan<byte> raw)
    {
        var cost = 0;
        var i = 0;
        for (; i < raw.Length; i++)
        {
            var b = raw[i];
            cost += b switch
            {
                (byte)'"' or (byte)'\\' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\b' or (byte)'\f' => 2,
                < 0x20 or 0x7F => 6,
                >= 0x80 => 3, // at most: a valid sequence costs its own length, an invalid byte a U+FFFD (3 bytes)
                _ => 1,
            };
            if (cost > MaxRawBytes)
            {
                break;
            }
        }

        if (i == raw.Length)
        {
            return i;
        }

        // Never cut inside a multi-byte sequence: back up to the start of the sequence the budget ran out in. A sequence
        // has at most three continuation bytes; a longer run is invalid anyway, and backing up over all of it would keep
        // nothing of the read.
        for (var back = 0; back < 3 && i > 0 && (raw[i] & 0xC0) == 0x80; back++)
        {
            i--;
        }

        return i;
    }
}
