using System.Globalization;

namespace AnprWatch.Simulation;

public sealed record Camera(string Id, string Force, string Site, double Lat, double Lon, string Direction);

/// <summary>A camera network over an urban hub (Bristol) and the county forces around it.</summary>
public static class CameraNetwork
{
    public const string Hub = "avon-and-somerset";

    private static readonly (string Force, double Lat, double Lon, int Cameras, string[] Roads)[] Areas =
    [
        (Hub, 51.454, -2.588, 24, ["M32", "M5", "M4", "A38", "A4", "A37", "A370", "A432", "A4174", "A369"]),
        ("wiltshire", 51.349, -1.994, 8, ["M4", "A350", "A36", "A303", "A419"]),
        ("gloucestershire", 51.864, -2.238, 8, ["M5", "A40", "A417", "A38", "A46"]),
        ("devon-and-cornwall", 50.718, -3.533, 8, ["M5", "A30", "A38", "A380", "A39"]),
        ("dorset", 50.715, -2.440, 6, ["A35", "A31", "A338", "A354"]),
        ("south-wales", 51.481, -3.179, 8, ["M4", "A48", "A470", "A4232"]),
        ("west-mercia", 52.192, -2.220, 6, ["M5", "M50", "A49", "A44"]),
        ("thames-valley", 51.752, -1.258, 6, ["M4", "M40", "A34", "A40"]),
        ("metropolitan", 51.507, -0.128, 6, ["M4", "A4", "A40", "A406"]),
    ];

    public static IReadOnlyList<string> Forces { get; } = Areas.Select(a => a.Force).ToArray();

    public static IReadOnlyList<Camera> Build(Random random)
    {
        var cameras = new List<Camera>();
        foreach (var (force, lat, lon, count, roads) in Areas)
        {
            for (var i = 0; i < count; i++)
            {
                var road = roads[i % roads.Length];
                cameras.Add(new Camera(
                    $"{Abbreviation(force)}-CAM-{i + 1:D3}",
                    force,
                    $"{road} {(i % 2 == 0 ? "northbound" : "southbound")} site {i + 1}",
                    Math.Round(lat + (random.NextDouble() - 0.5) * 0.3, 5),
                    Math.Round(lon + (random.NextDouble() - 0.5) * 0.4, 5),
                    i % 2 == 0 ? "N" : "S"));
            }
        }

        return cameras;
    }

    private static string Abbreviation(string force)
        => string.Concat(force.Split('-').Select(p => char.ToUpper(p[0], CultureInfo.InvariantCulture)));
}
