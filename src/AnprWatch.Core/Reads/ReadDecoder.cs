using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Plates;

namespace AnprWatch.Core.Reads;

/// <summary>
/// Decodes and validates a plate read (DESIGN §4.1) straight from UTF-8 bytes with <see cref="Utf8JsonReader"/>.
/// <see cref="TryDecodeHead"/> runs for every read and allocates nothing when the read is valid; the full
/// <see cref="PlateRead"/> is only materialised for the rare read that matches a marker. Every rejection carries a
/// reason a person can act on.
/// </summary>
public static class ReadDecoder
{
    public const int MaxMessageBytes = 64 * 1024;
    public const int MaxIdLength = 64;
    public const int MaxSiteLength = 200;
    public const int MaxShortFieldLength = 32;
    public const int MaxUrlLength = 2048;

    private enum Field
    {
        Unknown = -1,
        ReadId,
        Vrm,
        CameraId,
        ForceCode,
        ObservedAt,
        Lat,
        Lon,
        Site,
        Direction,
        Lane,
        Confidence,
        PlateImageUrl,
        OverviewImageUrl,
    }

    private static readonly string[] FieldNames =
        ["readId", "vrm", "cameraId", "forceCode", "observedAt", "lat", "lon", "site", "direction", "lane", "confidence", "plateImageUrl", "overviewImageUrl"];

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Indexed by field number; the fast scanner numbers fields the same way.</summary>
    internal static readonly byte[][] FieldNamesUtf8 = FieldNames.Select(Encoding.UTF8.GetBytes).ToArray();

    /// <summary>Validates a read and extracts what matching needs. <paramref name="vrm"/> needs room for <see cref="Vrm.MaxLength"/> chars.</summary>
    public static bool TryDecodeHead(ReadOnlySpan<byte> json, Span<char> vrm, out ReadHead head, out string? error)
    {
        if (FastReadScanner.TryScan(json, vrm, out head))
        {
            error = null;
            return true;
        }

        return TryDecodeHeadFully(json, vrm, out head, out error);
    }

    /// <summary>The reference decoder alone (no fast path): every rejection reason comes from here.</summary>
    internal static bool TryDecodeHeadFully(ReadOnlySpan<byte> json, Span<char> vrm, out ReadHead head, out string? error)
    {
        var builder = new Builder(materialise: false);
        return Decode(json, vrm, ref builder, out head, out error);
    }

    /// <summary>Decodes a read in full; null with <paramref name="error"/> when it is invalid.</summary>
    public static PlateRead? Materialise(ReadOnlySpan<byte> json, out string? error)
    {
        Span<char> vrm = stackalloc char[Vrm.MaxLength];
        var builder = new Builder(materialise: true);
        if (!Decode(json, vrm, ref builder, out var head, out error))
        {
            return null;
        }

        return new PlateRead
        {
            ReadId = builder.ReadId!,
            Vrm = new string(vrm[..head.VrmLength]),
            RawVrm = builder.RawVrm!,
            CameraId = builder.CameraId!,
            CameraForce = head.CameraForce,
            ObservedAt = head.ObservedAt,
            Lat = builder.Lat,
            Lon = builder.Lon,
            Site = builder.Site,
            Direction = builder.Direction,
            Lane = builder.Lane,
            Confidence = builder.Confidence,
            PlateImageUrl = builder.PlateImageUrl,
            OverviewImageUrl = builder.OverviewImageUrl,
        };
    }

    private struct Builder(bool materialise)
    {
        public readonly bool Materialise = materialise;
        public string? ReadId;
        public string? RawVrm;
        public string? CameraId;
        public string? Site;
        public string? Direction;
        public string? Lane;
        public string? PlateImageUrl;
        public string? OverviewImageUrl;
        public double? Lat;
        public double? Lon;
        public double? Confidence;
    }

    private static bool Decode(ReadOnlySpan<byte> json, Span<char> vrm, ref Builder builder, out ReadHead head, out string? error)
    {
        head = default;
        if (json.Length > MaxMessageBytes)
        {
            error = $"message is {json.Length} bytes, over the {MaxMessageBytes}-byte limit";
            return false;
        }

        if (json.StartsWith(Utf8Bom))
        {
            json = json[3..];
        }

        if (json.IsEmpty)
        {
            error = "empty message";
            return false;
        }

        if (!Utf8.IsValid(json))
        {
            error = "message is not valid UTF-8";
            return false;
        }

        try
        {
            return DecodeJson(json, vrm, ref builder, out head, out error);
        }
        catch (JsonException ex)
        {
            error = "not valid JSON: " + ex.Message;
            return false;
        }
        catch (InvalidOperationException)
        {
            error = "message holds escaped text that is not valid UTF-16 (a lone surrogate)";
            return false;
        }
    }

    private static bool DecodeJson(ReadOnlySpan<byte> json, Span<char> vrm, ref Builder builder, out ReadHead head, out string? error)
    {
        head = default;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = "message is not a JSON object";
            return false;
        }

        var seen = 0;
        var vrmLength = 0;
        Force? force = null;
        DateTimeOffset observedAt = default;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Classify(ref reader);
            reader.Read();
            if (field == Field.Unknown)
            {
                reader.Skip();
                continue;
            }

            var bit = 1 << (int)field;
            if ((seen & bit) != 0)
            {
                error = $"field '{FieldNames[(int)field]}' appears more than once";
                return false;
            }

            seen |= bit;
            var isNull = reader.TokenType == JsonTokenType.Null;
            try
            {
                error = DecodeField(ref reader, field, isNull, vrm, ref builder, ref vrmLength, ref force, ref observedAt);
            }
            catch (InvalidOperationException)
            {
                // Utf8JsonReader refuses to unescape a lone UTF-16 surrogate ("\ud800"): well-formed JSON, invalid text.
                error = $"field '{FieldNames[(int)field]}' holds an escaped lone surrogate (\\uD800–\\uDFFF without its pair): not valid text";
            }

            if (isNull && field is Field.ReadId or Field.Vrm or Field.CameraId or Field.ForceCode or Field.ObservedAt)
            {
                error = $"required field '{FieldNames[(int)field]}' is null";
            }

            if (error is not null)
            {
                return false;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            error = "message is not a complete JSON object";
            return false;
        }

        // A second value after the object ("{...}{...}" or "{...} x") is refused by the reader itself.
        if (reader.Read())
        {
            error = "unexpected content after the JSON object";
            return false;
        }

        for (var f = Field.ReadId; f <= Field.ObservedAt; f++)
        {
            if ((seen & (1 << (int)f)) == 0)
            {
                error = $"missing required field '{FieldNames[(int)f]}'";
                return false;
            }
        }

        head = new ReadHead(vrmLength, force!, observedAt);
        error = null;
        return true;
    }

    private static string? DecodeField(ref Utf8JsonReader reader, Field field, bool isNull, Span<char> vrm, ref Builder builder, ref int vrmLength, ref Force? force, ref DateTimeOffset observedAt)
        => field switch
            {
                Field.ReadId => RequiredString(ref reader, field, 1, MaxIdLength, builder.Materialise, out builder.ReadId),
                Field.CameraId => RequiredString(ref reader, field, 1, MaxIdLength, builder.Materialise, out builder.CameraId),
                Field.Vrm => ReadVrm(ref reader, vrm, builder.Materialise, out vrmLength, out builder.RawVrm),
                Field.ForceCode => ReadForce(ref reader, out force),
                Field.ObservedAt => ReadTimestamp(ref reader, out observedAt),
                Field.Lat => isNull ? null : Number(ref reader, field, -90, 90, out builder.Lat),
                Field.Lon => isNull ? null : Number(ref reader, field, -180, 180, out builder.Lon),
                Field.Confidence => isNull ? null : Number(ref reader, field, 0, 1, out builder.Confidence),
                Field.Site => isNull ? null : OptionalString(ref reader, field, MaxSiteLength, builder.Materialise, out builder.Site),
                Field.Direction => isNull ? null : OptionalString(ref reader, field, MaxShortFieldLength, builder.Materialise, out builder.Direction),
                Field.Lane => isNull ? null : OptionalString(ref reader, field, MaxShortFieldLength, builder.Materialise, out builder.Lane),
                Field.PlateImageUrl => isNull ? null : OptionalString(ref reader, field, MaxUrlLength, builder.Materialise, out builder.PlateImageUrl),
                Field.OverviewImageUrl => isNull ? null : OptionalString(ref reader, field, MaxUrlLength, builder.Materialise, out builder.OverviewImageUrl),
                _ => null,
            };

    private static Field Classify(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            try
            {
                for (var i = 0; i < FieldNames.Length; i++)
                {
                    if (reader.ValueTextEquals(FieldNamesUtf8[i]))
                    {
                        return (Field)i;
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // A name holding a lone surrogate is no field of ours: skipped like any unknown field.
            }

            return Field.Unknown;
        }

        var name = reader.ValueSpan;
        for (var i = 0; i < FieldNamesUtf8.Length; i++)
        {
            if (name.SequenceEqual(FieldNamesUtf8[i]))
            {
                return (Field)i;
            }
        }

        return Field.Unknown;
    }

    private static string? WrongType(Field field, string expected) => $"field '{FieldNames[(int)field]}' must be {expected}";

    /// <summary>
    /// The current string token's length in chars, without allocating (escaped strings are rare and may), or -1 when an escape in it spells a control character (U+0000–U+001F, U+007F–U+009F):
    /// no camera sends one in a text field, and one written into <c>site</c> or <c>lane</c> (ESC, a newline) would reach
    /// an operator's terminal, a log line or a CSV cell. JSON cannot carry them unescaped, so only the escaped path,
    /// never the fast one, pays for the check.
    /// </summary>
    private static int CharLength(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return Encoding.UTF8.GetCharCount(reader.ValueSpan);
        }

        if (reader.ValueSpan.Length <= 512)
        {
            Span<char> buffer = stackalloc char[512];
            var written = reader.CopyString(buffer);
            return HasControl(buffer[..written]) ? -1 : written;
        }

        var value = reader.GetString()!;
        return HasControl(value) ? -1 : value.Length;
    }

    private static string ControlCharacters(Field field) => $"field '{FieldNames[(int)field]}' must not contain control characters (an escape such as \\u0000 or \\n)";

    private static bool HasControl(ReadOnlySpan<char> value) => value.IndexOfAnyInRange('\u0000', '\u001f') >= 0 || value.IndexOfAnyInRange('\u007f', '\u009f') >= 0;

    private static string? RequiredString(ref Utf8JsonReader reader, Field field, int min, int max, bool materialise, out string? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return reader.TokenType == JsonTokenType.Null ? null : WrongType(field, "a string");
        }

        var length = CharLength(ref reader);
        if (length < 0)
        {
            return ControlCharacters(field);
        }

        if (length < min || length > max)
        {
            return $"field '{FieldNames[(int)field]}' must be {min}–{max} characters (it has {length})";
        }

        if (materialise)
        {
            value = reader.GetString();
        }

        return null;
    }

    private static string? OptionalString(ref Utf8JsonReader reader, Field field, int max, bool materialise, out string? value)
        => RequiredString(ref reader, field, 0, max, materialise, out value);

    private static string? Number(ref Utf8JsonReader reader, Field field, double min, double max, out double? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.Number)
        {
            return WrongType(field, "a number");
        }

        if (!reader.TryGetDouble(out var number) || double.IsNaN(number) || number < min || number > max)
        {
            return $"field '{FieldNames[(int)field]}' must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}";
        }

        value = number;
        return null;
    }

    private static string? ReadVrm(ref Utf8JsonReader reader, Span<char> vrm, bool materialise, out int length, out string? raw)
    {
        length = 0;
        raw = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return reader.TokenType == JsonTokenType.Null ? null : WrongType(Field.Vrm, "a string");
        }

        var chars = CharLength(ref reader);
        if (chars < 0)
        {
            return ControlCharacters(Field.Vrm);
        }

        if (chars > Vrm.MaxRawLength)
        {
            return $"field 'vrm' is longer than {Vrm.MaxRawLength} characters";
        }

        // Plain ASCII (every real plate) normalises from the bytes; anything else is decoded first, so a look-alike
        // letter is named in the error rather than silently dropped.
        if (!reader.ValueIsEscaped && Ascii.IsValid(reader.ValueSpan))
        {
            if (!Vrm.TryNormalise(reader.ValueSpan, vrm, out length))
            {
                return Vrm.InvalidReason("field 'vrm'", Encoding.ASCII.GetString(reader.ValueSpan));
            }
        }
        else
        {
            Span<char> buffer = stackalloc char[Vrm.MaxRawLength];
            var n = reader.CopyString(buffer);
            if (!Vrm.TryNormalise(buffer[..n], vrm, out length))
            {
                return Vrm.InvalidReason("field 'vrm'", buffer[..n]);
            }
        }

        if (materialise)
        {
            raw = reader.GetString();
        }

        return null;
    }

    private static string? ReadForce(ref Utf8JsonReader reader, out Force? force)
    {
        force = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return reader.TokenType == JsonTokenType.Null ? null : WrongType(Field.ForceCode, "a string");
        }

        var forceLength = CharLength(ref reader);
        if (forceLength < 0)
        {
            return ControlCharacters(Field.ForceCode);
        }

        if (forceLength > ForceRegistry.MaxCodeLength)
        {
            return $"unknown forceCode (longer than {ForceRegistry.MaxCodeLength} characters)";
        }

        Span<char> code = stackalloc char[ForceRegistry.MaxCodeLength];
        var n = reader.CopyString(code);
        if (!ForceRegistry.TryGet(code[..n], out force))
        {
            return $"unknown forceCode '{code[..n]}'";
        }

        return null;
    }

    private static string? ReadTimestamp(ref Utf8JsonReader reader, out DateTimeOffset value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.String)
        {
            return reader.TokenType == JsonTokenType.Null ? null : WrongType(Field.ObservedAt, "an ISO-8601 timestamp string with an offset");
        }

        const string Invalid = "field 'observedAt' must be an ISO-8601 timestamp with an offset (e.g. 2026-05-01T22:15:00+01:00)";
        if (reader.ValueIsEscaped)
        {
            // Unescaped, the text must pass the same strict ISO 8601 parser as an unescaped one: the lenient
            // DateTimeOffset.TryParse took "Tue 2026-11-24 14:00:00" and read it in the server's zone.
            var text = reader.GetString()!;
            if (text.Length > 64 || text.Any(c => c < 0x20 || c is '"' or '\\' || c > 0x7E))
            {
                return Invalid;
            }

            var quoted = Encoding.ASCII.GetBytes("\"" + text + "\"");
            var strict = new Utf8JsonReader(quoted);
            return strict.Read() && HasOffset(strict.ValueSpan) && strict.TryGetDateTimeOffset(out value) ? null : Invalid;
        }

        return HasOffset(reader.ValueSpan) && reader.TryGetDateTimeOffset(out value) ? null : Invalid;
    }

    /// <summary>A timestamp without an offset would be read in the server's zone: refuse it rather than guess.</summary>
    private static bool HasOffset(ReadOnlySpan<byte> text)
    {
        var t = text.IndexOf((byte)'T');
        if (t < 0)
        {
            return false;
        }

        var time = text[(t + 1)..];
        return time.IndexOfAny("Zz+-"u8) > 0;
    }
}
