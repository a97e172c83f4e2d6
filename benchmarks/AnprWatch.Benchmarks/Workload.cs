using System.Text;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;

namespace AnprWatch.Benchmarks;

/// <summary>Deterministic markers and reads shared by the benchmarks: 1M markers, reads that (almost all) hit nothing.</summary>
public static class Workload
{
    public const int Reads = 4096;

    public static List<Marker> Markers(int count)
    {
        var random = new Random(42);
        var forces = ForceRegistry.All;
        var markers = new List<Marker>(count);
        var seen = new HashSet<string>();
        while (markers.Count < count)
        {
            var vrm = Plate(random);
            if (!seen.Add(vrm))
            {
                continue;
            }

            markers.Add(new Marker(vrm, "SR-" + markers.Count, (RiskLevel)(markers.Count % 3), forces[markers.Count % forces.Count], new DateOnly(2027, 1, 1), null, null, null, null, "ACT"));
        }

        return markers;
    }

    /// <summary>
    /// Plates for reads: drawn from a different generator, so nearly all miss (as on a real road), except that every
    /// 500th is a marked plate and every 1,000th a marked plate misread (B read as 8, O as 0, or the reverse, where it has one), so both kinds of
    /// match are exercised and the baselines' answers can be compared.
    /// </summary>
    public static string[] ReadPlates(int count, IReadOnlyList<Marker> markers)
    {
        var random = new Random(7);
        return Enumerable.Range(0, count).Select(i => i switch
        {
            _ when i % 1000 == 1 => Misread(markers[i].Vrm),
            _ when i % 500 == 1 => markers[i].Vrm,
            _ => Plate(random),
        }).Select((p, i) => i % 10 == 0 ? p[..4] + " " + p[4..].ToLowerInvariant() : p).ToArray();
    }

    private static string Misread(string vrm)
    {
        var at = vrm.IndexOfAny(['B', 'O', '8', '0']);
        return at < 0 ? vrm : vrm[..at] + (vrm[at] switch { 'B' => '8', '8' => 'B', 'O' => '0', _ => 'O' }) + vrm[(at + 1)..];
    }

    public static byte[][] ReadMessages(string[] plates)
        => plates.Select((p, i) => Encoding.UTF8.GetBytes(
            $$"""{"readId":"rd-{{i:D8}}","vrm":"{{p}}","cameraId":"WIL-CAM-{{i % 97:D3}}","forceCode":"wiltshire","observedAt":"2026-06-01T22:15:{{i % 60:D2}}+01:00","lat":51.349,"lon":-1.994,"site":"A350 northbound","direction":"N","lane":"1","confidence":0.93,"plateImageUrl":"https://anpr.example/{{i}}.jpg"}""")).ToArray();

    private static string Plate(Random random)
    {
        Span<char> c = stackalloc char[7];
        c[0] = (char)('A' + random.Next(26));
        c[1] = (char)('A' + random.Next(26));
        c[2] = (char)('0' + random.Next(10));
        c[3] = (char)('0' + random.Next(10));
        c[4] = (char)('A' + random.Next(26));
        c[5] = (char)('A' + random.Next(26));
        c[6] = (char)('A' + random.Next(26));
        return new string(c);
    }
}
