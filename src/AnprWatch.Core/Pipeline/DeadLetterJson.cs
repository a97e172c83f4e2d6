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
    /// Raw bytes kept in a dead letter. Escaping can grow text sixfold (a control byte becomes <c>\u0001</c>), so an
    /// uncapped dead letter of a large read would exceed a Kafka broker's message limit and block its partition; the
    /// rest of such a read is identified by its length and SHA-256 (<c>rawBytes</c>, <c>rawSha256</c>).
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
            if (raw.Length > MaxRawBytes)
            {
                writer.WriteNumber("rawBytes", raw.Length);
                writer.WriteString("rawSha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(raw)));
                writer.WriteBoolean("rawTruncated", true);
                raw = raw[..MaxRawBytes];
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
}
