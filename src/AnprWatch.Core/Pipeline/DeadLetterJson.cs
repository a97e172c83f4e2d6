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
