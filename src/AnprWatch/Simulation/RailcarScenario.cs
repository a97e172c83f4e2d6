using System.Globalization;
using System.Text;
using System.Text.Json;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;

namespace AnprWatch.Simulation;

public sealed record ScenarioOptions(int Seed = 20260501, int OrdinaryVehicles = 20_000)
{
    public DateOnly Start { get; init; } = new(2026, 5, 1);
    public DateOnly End { get; init; } = new(2026, 10, 31);

    /// <summary>
    /// A live scenario: the ground truth of <c>serve</c> processing every read at this instant with
    /// <c>Alerting:MaxReadAge</c> = <see cref="MaxReadAge"/> (a read older than that is stale, never alerted and never
    /// suppresses another). Null: replay, each read live at its own time.
    /// </summary>
    public DateTimeOffset? LiveAt { get; init; }

    public TimeSpan MaxReadAge { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>One expected hit, computed by the simulator from what it generated (not by the engine).</summary>
public sealed record ExpectedHit(
    string ReadId, string MarkerId, string SuspectRef, string MarkerVrm, string Vrm, string MatchKind, string CameraForce,
    string HostForce, bool InForce, bool Alerted, string? NotAlertedReason, string Priority, bool ReviewOverdue, DateTimeOffset ObservedAt,
    string? LocationRef = null)
{
    /// <summary>The rule (DESIGN §8) says this hit is a possible clone.</summary>
    public bool PossibleClone { get; init; }

    /// <summary>The read of the impossible partner sighting when it was a hit (the engine gives its hit id).</summary>
    public string? CloneOfReadId { get; init; }

    /// <summary>What really happened: this read, or its impossible partner, was made of a cloned copy of the plate.</summary>
    public bool ClonedVehicleInvolved { get; init; }

    /// <summary>The exact read that confirms this ocr-equivalent alert (DESIGN §8), or null.</summary>
    public string? ConfirmingReadId { get; init; }
}

public sealed record MalformedLine(long Line, string Kind);

public sealed record ScenarioSummary(
    string Scenario, int Seed, string From, string To, int Markers, int FlaggedVehicles, int OrdinaryVehicles, long Reads,
    long Lines, IReadOnlyList<MalformedLine> Malformed, int ExpectedHits, int ExpectedAlerted, IReadOnlyList<string> MarkerFiles,
    IReadOnlyList<string>? LocationFiles = null, int ExpectedLocationRaised = 0)
{
    /// <summary>Vehicles driving on a copy of a flagged vehicle's plate.</summary>
    public int ClonedVehicles { get; init; }

    public int ExpectedPossibleClones { get; init; }

    public int ExpectedConfirmations { get; init; }
}

/// <summary>
/// Operation Railcar, simulated: ~40 flagged vehicles linked to HIGH/MEDIUM/LOW suspects among tens of thousands of
/// ordinary vehicles, journeys from an urban hub into county forces (and back), a camera network over nine forces,
/// OCR misreads, messy plate text, malformed lines, and the expected hits as ground truth.
/// </summary>
public sealed class RailcarScenario
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly string[][] OcrClasses = [["0", "O", "D", "Q"], ["1", "I"], ["2", "Z"], ["5", "S"], ["6", "G"], ["8", "B"]];
    private static readonly TimeSpan RepeatWindow = TimeSpan.FromMinutes(15);

    private readonly ScenarioOptions _options;
    private readonly Random _random;
    private readonly IReadOnlyList<Camera> _cameras;
    private readonly HashSet<string> _flaggedKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedPlates = new(StringComparer.Ordinal);

    /// <summary>
    /// The camera behind each expected hit, keyed by (read, marker), not by the record: the clone and confirmation
    /// oracles replace records with <c>with</c> copies.
    /// </summary>
    private readonly Dictionary<(string ReadId, string MarkerId), string> _hitCameras = [];

    private RailcarScenario(ScenarioOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        _cameras = CameraNetwork.Build(_random);
    }

    private sealed record Vehicle(string Plate, string HomeForce, List<Marker> Markers);

    private enum Misread
    {
        None,
        EquivalentOne,
        EquivalentTwo,
        Other,
    }

    /// <param name="Positioned">false: the camera reported no lat/lon (the boundary probes), so it never counts as a sighting.</param>
    /// <param name="Cloned">The read was made of a cloned copy of a flagged plate.</param>
    /// <param name="Backlog">How long after its observation the read reaches the file (a camera's backlog): reads are
    /// written in arrival order, observedAt + Backlog.</param>
    private sealed record Read(Vehicle Vehicle, Camera Camera, DateTimeOffset ObservedAt, string Emitted, Misread Misread, string Rendered, bool Positioned = true, bool Cloned = false, TimeSpan Backlog = default)
    {
        public DateTimeOffset ArrivesAt => ObservedAt + Backlog;
    }

    /// <summary>Honest vehicles drive at most this fast between cameras (the clone rule flags over 200 km/h).</summary>
    private const double HonestSpeedKmh = 80;

    public static ScenarioSummary Generate(ScenarioOptions options, string outDirectory, Action<double>? progress = null)
        => new RailcarScenario(options).Write(outDirectory, progress ?? (_ => { }));

    private ScenarioSummary Write(string outDirectory, Action<double> progress)
    {
        Directory.CreateDirectory(Path.Combine(outDirectory, "markers"));
        var flagged = BuildFlaggedVehicles();
        var ordinary = Enumerable.Range(0, _options.OrdinaryVehicles).Select(_ => new Vehicle(NewPlate(avoidFlagged: true), PickHome(), [])).ToList();
        progress(0.1);

        var reads = new List<Read>();
        var journeys = flagged.ToDictionary(v => v, v => FlaggedJourneys(v).ToList());
        foreach (var vehicle in flagged)
        {
            reads.AddRange(journeys[vehicle]);
        }

        var clones = ClonedVehicles(flagged);
        foreach (var (original, clone) in clones)
        {
            reads.AddRange(CloneJourneys(journeys[original], clone));
        }

        reads.AddRange(BoundaryProbes(flagged));

        foreach (var vehicle in ordinary)
        {
            reads.AddRange(OrdinaryTrips(vehicle));
        }

        reads.Sort((a, b) => a.ArrivesAt.CompareTo(b.ArrivesAt));
        progress(0.4);

        var markers = flagged.SelectMany(v => v.Markers).ToList();
        var markerFiles = WriteMarkerFiles(outDirectory, markers);
        var (malformed, expected, lines) = WriteReads(Path.Combine(outDirectory, "reads.jsonl"), reads, markers, progress);
        var (locationFiles, raised) = ApplyLocations(outDirectory, expected);
        Regate(expected);

        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true };
        File.WriteAllText(Path.Combine(outDirectory, "ground-truth.json"), JsonSerializer.Serialize(expected, json));
        var summary = new ScenarioSummary(
            "railcar", _options.Seed, Iso(_options.Start), Iso(_options.End), flagged.Sum(v => v.Markers.Count), flagged.Count,
            ordinary.Count, reads.Count, lines, malformed, expected.Count, expected.Count(e => e.Alerted), markerFiles, locationFiles, raised)
        {
            ClonedVehicles = clones.Count,
            ExpectedPossibleClones = expected.Count(e => e.PossibleClone),
            ExpectedConfirmations = expected.Count(e => e.ConfirmingReadId is not null),
        };
        File.WriteAllText(Path.Combine(outDirectory, "scenario.json"), JsonSerializer.Serialize(summary, json));
        progress(1);
        return summary;
    }

    // ---- markers -------------------------------------------------------------------------------------------

    private List<Vehicle> BuildFlaggedVehicles()
    {
        // 40 markers on 39 vehicles: one vehicle is linked to two suspects.
        var hosts = Enumerable.Repeat(CameraNetwork.Hub, 28).Concat(Enumerable.Repeat("wiltshire", 8)).Concat(Enumerable.Repeat("gloucestershire", 4)).ToArray();
        var vehicles = new List<Vehicle>();
        for (var i = 0; i < hosts.Length; i++)
        {
            var host = ForceRegistry.Get(hosts[i]);
            var risk = (i % 10) switch
            {
                0 or 1 or 2 or 3 => RiskLevel.High,
                9 => RiskLevel.Low,
                _ => RiskLevel.Medium,
            };
            var reviewDue = i is 8 or 12 or 21 ? new DateOnly(2026, 7, 15) : new DateOnly(2027, 1, 31);
            DateOnly? expires = i is 7 or 17 ? new DateOnly(2026, 8, 31) : null;
            var marker = new Marker(
                i == 6 ? vehicles[5].Plate : FlaggedPlate(i),
                $"SR-{host.Code[..3].ToUpperInvariant()}-{1000 + i}",
                risk,
                host,
                reviewDue,
                expires,
                i % 3 == 0 ? "RAILCAR" : null,
                risk == RiskLevel.High ? "Do not stop unless a child is believed to be in the vehicle; notify RIU, \"urgent\" line" : "Record and report to RIU",
                i % 2 == 0 ? "RIU South West, 0117 000 0000" : null,
                "ACT");
            if (i == 6)
            {
                vehicles[5].Markers.Add(marker);
            }
            else
            {
                vehicles.Add(new Vehicle(marker.Vrm, host.Code, [marker]));
            }
        }

        // A look-alike: a second marked vehicle whose plate is one OCR confusion away from the first one's (same
        // equivalence key). Its exact reads must hit only its own marker (exact wins); a misread of one may be an exact
        // read of the other.
        var original = vehicles[0].Plate;
        var position = original.Select((c, at) => (c, at)).First(p => ClassOf(p.c) is not null).at;
        var cls = ClassOf(original[position])!;
        var twin = original[..position] + cls[(Array.IndexOf(cls, original[position].ToString()) + 1) % cls.Length] + original[(position + 1)..];
        _usedPlates.Add(twin);
        var wiltshire = ForceRegistry.Get("wiltshire");
        var lookAlike = new Marker(twin, "SR-WIL-LOOKALIKE", RiskLevel.High, wiltshire, new DateOnly(2027, 1, 31), null, "RAILCAR", "Record and report to RIU", null, "ACT");
        vehicles.Add(new Vehicle(twin, wiltshire.Code, [lookAlike]));
        return vehicles;
    }

    private string FlaggedPlate(int i)
    {
        while (true)
        {
            var plate = i switch
            {
                13 => $"{Letter()}{_random.Next(100, 999)}{Letters(3)}",       // prefix
                23 => $"{Letters(3)}{_random.Next(10, 999)}{Letter()}",        // suffix
                33 => $"SAFE{_random.Next(10, 99)}",                           // personalised: unknown format
                _ => NewCurrentPlate(),
            };
            var key = Key(plate);
            if (HasOcrCharacter(plate) && _flaggedKeys.Add(key) && _usedPlates.Add(plate))
            {
                return plate;
            }
        }
    }

    private List<string> WriteMarkerFiles(string outDirectory, List<Marker> markers)
    {
        var files = new List<string>();
        foreach (var group in markers.GroupBy(m => m.HostForce.Code))
        {
            var path = Path.Combine(outDirectory, "markers", group.Key + ".csv");
            var csv = new StringBuilder("vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type\n");
            foreach (var m in group)
            {
                // Bureau exports are not tidy: spaced plates, lower-case risk levels, quoted fields with commas.
                var plate = m.Vrm.Length == 7 && _random.Next(3) == 0 ? m.Vrm[..4] + " " + m.Vrm[4..] : m.Vrm;
                var risk = _random.Next(4) == 0 ? m.Risk.Label().ToLowerInvariant() : m.Risk.Label();
                csv.Append(CultureInfo.InvariantCulture, $"{plate},{m.SuspectRef},{risk},{m.HostForce.Code},{Iso(m.ReviewDue)},{(m.Expires is { } e ? Iso(e) : "")},{m.Operation},{Quote(m.Action)},{Quote(m.Contact)},{m.MarkerType}\n");
            }

            File.WriteAllText(path, csv.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            files.Add(Path.GetRelativePath(outDirectory, path));
        }

        return files;
    }

    // ---- journeys ------------------------------------------------------------------------------------------

    private IEnumerable<Read> FlaggedJourneys(Vehicle vehicle)
    {
        var days = _options.End.DayNumber - _options.Start.DayNumber + 1;
        var trips = Enumerable.Range(0, 4 + _random.Next(6)).Select(_ =>
        {
            var day = _options.Start.AddDays(_random.Next(days));
            var night = _random.Next(100) < 35;
            var hour = night ? (22 + _random.Next(7)) % 24 : 7 + _random.Next(14);
            var destination = vehicle.HomeForce == CameraNetwork.Hub
                ? CameraNetwork.Forces[1 + _random.Next(CameraNetwork.Forces.Count - 1)]
                : (_random.Next(4) == 0 ? CameraNetwork.Forces[1 + _random.Next(CameraNetwork.Forces.Count - 1)] : CameraNetwork.Hub);
            return (Start: Local(day, hour, _random.Next(60)), Destination: destination);
        }).OrderBy(t => t.Start).ToList();

        // One car is in one place at a time: trips follow each other, and each read is reachable from the one before
        // at an honest speed, so only the cloned copies below break the clone rule.
        Camera? last = null;
        var time = DateTimeOffset.MinValue;
        foreach (var (start, destination) in trips)
        {
            if (start > time)
            {
                time = start;
            }

            // Leave home (in-force reads: never hits), cross into the destination, move around there, come back.
            foreach (var force in new[] { vehicle.HomeForce, destination, destination, destination, vehicle.HomeForce })
            {
                var count = force == destination ? _random.Next(0, 3) : _random.Next(1, 3);
                for (var r = 0; r < count; r++)
                {
                    var camera = PickCamera(force);
                    var gap = TimeSpan.FromMinutes(_random.Next(100) < 50 ? 2 + _random.Next(12) : 16 + _random.Next(60)).Add(TimeSpan.FromSeconds(_random.Next(60)));
                    time += last is null ? gap : Max(gap, Travel(last, camera));
                    if (UkDate(time) > _options.End)
                    {
                        yield break;
                    }

                    last = camera;
                    yield return Observe(vehicle, camera, time, flagged: true);
                }
            }
        }
    }

    /// <summary>
    /// Cloned plates: three flagged vehicles each get a copy (same plate, same markers) that lives in the force
    /// furthest from the original's home and is driven there, twice, within the hour after the original was read.
    /// </summary>
    private List<(Vehicle Original, Vehicle Clone)> ClonedVehicles(List<Vehicle> flagged)
        => flagged.Skip(1)
            .Where(v => v.Markers.Count == 1 && v.Markers[0].Risk != RiskLevel.Low && v.Markers[0].Expires is null)
            .Where((_, i) => i % 7 == 3)
            .Take(3)
            .Select(v => (v, new Vehicle(v.Plate, FurthestForce(v.HomeForce), v.Markers)))
            .ToList();

    private IEnumerable<Read> CloneJourneys(List<Read> originalReads, Vehicle clone)
    {
        var sightings = originalReads.Where(r => r.Emitted == r.Vehicle.Plate).ToList();
        for (var episode = 0; episode < 2 && sightings.Count > 0; episode++)
        {
            var seen = sightings[_random.Next(sightings.Count)];
            var time = seen.ObservedAt.AddMinutes(10 + _random.Next(30)).AddSeconds(_random.Next(60));
            Camera? last = null;
            var count = 2 + _random.Next(2);
            for (var r = 0; r < count; r++)
            {
                var camera = PickCamera(clone.HomeForce);
                if (last is not null)
                {
                    time += Max(TimeSpan.FromMinutes(2 + _random.Next(10)), Travel(last, camera));
                }

                if (UkDate(time) > _options.End)
                {
                    yield break;
                }

                last = camera;
                yield return Observe(clone, camera, time, flagged: true) with { Cloned = true };
            }
        }
    }

    private string FurthestForce(string home)
    {
        var (lat, lon) = Centre(home);
        return CameraNetwork.Forces.OrderByDescending(f => Centre(f) is var c ? CloneGroundTruth.GreatCircleKm(lat, lon, c.Lat, c.Lon) : 0).First();
    }

    private (double Lat, double Lon) Centre(string force)
    {
        var cameras = _cameras.Where(c => c.Force == force).ToList();
        return (cameras.Average(c => c.Lat), cameras.Average(c => c.Lon));
    }

    /// <summary>Time to drive between two cameras at an honest speed, plus a minute.</summary>
    private static TimeSpan Travel(Camera from, Camera to)
        => TimeSpan.FromHours(CloneGroundTruth.GreatCircleKm(from.Lat, from.Lon, to.Lat, to.Lon) / HonestSpeedKmh) + TimeSpan.FromMinutes(1);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private Camera PickCamera(string force)
    {
        var cameras = _cameras.Where(c => c.Force == force).ToList();
        return cameras[_random.Next(cameras.Count)];
    }

    /// <summary>
    /// Reads placed exactly on the rules' boundaries, so the ground truth checks them on every run: the last and first
    /// second of a marker's expiry date and review date (UK local, inclusive), a repeat exactly one RepeatWindow after
    /// an alert and one a second later, a crossing into another force inside the window and back again.
    /// </summary>
    private IEnumerable<Read> BoundaryProbes(List<Vehicle> flagged)
    {
        Read Exact(Vehicle vehicle, string force, DateTimeOffset at)
            => new(vehicle, _cameras.First(c => c.Force == force), at, vehicle.Plate, Misread.None, vehicle.Plate, Positioned: false);

        string Away(Marker marker, int skip) => CameraNetwork.Forces.Where(f => f != marker.HostForce.Code).Skip(skip).First();

        foreach (var vehicle in flagged.Where(v => v.Markers.Count == 1))
        {
            var marker = vehicle.Markers[0];
            if (marker.Expires is { } expires)
            {
                yield return Exact(vehicle, Away(marker, 0), Local(expires, 23, 59).AddSeconds(59));   // last second: a hit
                yield return Exact(vehicle, Away(marker, 1), Local(expires.AddDays(1), 0, 0));          // first second after: none
            }

            if (marker.ReviewDue >= _options.Start && marker.ReviewDue < _options.End && marker.Expires is null)
            {
                yield return Exact(vehicle, Away(marker, 0), Local(marker.ReviewDue, 23, 59).AddSeconds(59)); // not yet overdue
                yield return Exact(vehicle, Away(marker, 1), Local(marker.ReviewDue.AddDays(1), 0, 0));        // overdue
            }
        }

        // Suppression and force crossings, on the first HIGH marker, at 03:00 on two quiet days.
        var high = flagged.First(v => v.Markers.Count == 1 && v.Markers[0].Risk == RiskLevel.High);
        var (home, other) = (Away(high.Markers[0], 0), Away(high.Markers[0], 1));
        var first = Local(_options.Start.AddDays(40), 3, 0);
        yield return Exact(high, home, first);                                  // alerted
        yield return Exact(high, other, first.AddMinutes(5));                   // another force: alerted
        yield return Exact(high, home, first.AddMinutes(10));                   // back inside the window: suppressed
        yield return Exact(high, home, first.Add(RepeatWindow));                // exactly one window after the alert: suppressed
        yield return Exact(high, home, first.Add(RepeatWindow).AddSeconds(1));  // a second later: alerted
        var second = Local(_options.Start.AddDays(80), 3, 0);
        yield return Exact(high, home, second);
        yield return Exact(high, home, second.Add(RepeatWindow).AddSeconds(1)); // just outside the window: alerted

        // A misread that confirms itself (DESIGN §8): an ocr-equivalent alert, then the exact plate a second later at
        // the same camera; the exact read is suppressed as a repeat and confirms the alert instead.
        var misread = MisreadPlate(high.Plate, Misread.EquivalentOne)!;
        for (var attempt = 0; attempt < 20 && _usedPlates.Contains(misread); attempt++)
        {
            misread = MisreadPlate(high.Plate, Misread.EquivalentOne)!; // never the look-alike's real plate
        }

        var third = Local(_options.Start.AddDays(100), 3, 0);
        yield return Exact(high, home, third) with { Emitted = misread, Misread = Misread.EquivalentOne, Rendered = misread };
        yield return Exact(high, home, third.AddSeconds(1));

        // Late reads (a camera's backlog): observed before an alert but arriving after it. Suppression is symmetric in
        // observed time, so within the window before the alert they are repeats too; just outside it, a new alert.
        var fourth = Local(_options.Start.AddDays(120), 3, 0);
        yield return Exact(high, home, fourth);                                                                              // alerted
        yield return Exact(high, home, fourth.AddMinutes(-10)) with { Backlog = TimeSpan.FromMinutes(11) };                  // late, inside: suppressed
        yield return Exact(high, home, fourth - RepeatWindow) with { Backlog = RepeatWindow + TimeSpan.FromMinutes(2) };     // late, exactly one window before: suppressed
        yield return Exact(high, home, fourth - RepeatWindow - TimeSpan.FromSeconds(1)) with { Backlog = RepeatWindow + TimeSpan.FromMinutes(3) }; // a second further: alerted

        // A misread alert whose exact read was observed a second earlier but arrives late: suppressed, it confirms the alert.
        var fifth = Local(_options.Start.AddDays(130), 3, 0);
        yield return Exact(high, home, fifth) with { Emitted = misread, Misread = Misread.EquivalentOne, Rendered = misread };
        yield return Exact(high, home, fifth.AddSeconds(-1)) with { Backlog = TimeSpan.FromSeconds(31) };

        if (_options.LiveAt is not { } liveAt)
        {
            yield break; // replay scenarios stay as they were: tests hold figures of given seeds
        }

        // Live only: the stale cut (MaxReadAge before the processing instant) one second either side on one camera force.
        // The stale read must not suppress the fresh one exactly MaxReadAge old; a read 10 s later is suppressed by it.
        var cut = liveAt - _options.MaxReadAge;
        yield return Exact(high, home, cut.AddSeconds(-1));  // stale
        yield return Exact(high, home, cut);                 // exactly MaxReadAge old: fresh, alerted
        yield return Exact(high, home, cut.AddSeconds(10));  // suppressed by the fresh read

        // One vehicle crossing force boundaries read after read, a second apart (each read its own batch when serve's
        // Source:BatchSize is 1, split differently by any other size): the first read in each force alerts, every
        // later one inside the window is suppressed by its own force's alert, never by the other force's.
        var crossing = cut.AddHours(1);
        for (var r = 0; r < 6; r++)
        {
            yield return Exact(high, r % 2 == 0 ? home : other, crossing.AddSeconds(r));
        }
    }

    private IEnumerable<Read> OrdinaryTrips(Vehicle vehicle)
    {
        var days = _options.End.DayNumber - _options.Start.DayNumber + 1;
        var reads = 4 + _random.Next(13);
        for (var r = 0; r < reads; r++)
        {
            var force = _random.Next(100) < 85 ? vehicle.HomeForce : CameraNetwork.Forces[_random.Next(CameraNetwork.Forces.Count)];
            var time = Local(_options.Start.AddDays(_random.Next(days)), _random.Next(24), _random.Next(60)).AddSeconds(_random.Next(60));
            yield return Observe(vehicle, force, time, flagged: false);
        }
    }

    private Read Observe(Vehicle vehicle, string force, DateTimeOffset time, bool flagged) => Observe(vehicle, PickCamera(force), time, flagged);

    private Read Observe(Vehicle vehicle, Camera camera, DateTimeOffset time, bool flagged)
    {
        var roll = _random.Next(1000);
        var misread = roll switch
        {
            < 30 => Misread.EquivalentOne,   // 3% one OCR-confusable character misread
            < 35 => Misread.EquivalentTwo,   // 0.5% two
            < 45 => Misread.Other,           // 1% a non-confusable character misread
            _ => Misread.None,
        };
        var emitted = misread == Misread.None ? vehicle.Plate : MisreadPlate(vehicle.Plate, misread) ?? vehicle.Plate;
        if (emitted == vehicle.Plate)
        {
            misread = Misread.None;
        }

        // An ordinary vehicle's misread must never collide with a flagged vehicle (it would be a true ocr hit).
        if (!flagged && _flaggedKeys.Contains(Key(emitted)))
        {
            emitted = vehicle.Plate;
            misread = Misread.None;
        }

        // A flagged vehicle's "other" misread or double misread must not look like any flagged plate either.
        if (flagged && misread is Misread.Other && _flaggedKeys.Contains(Key(emitted)))
        {
            emitted = vehicle.Plate;
            misread = Misread.None;
        }

        return new Read(vehicle, camera, time, emitted, misread, Render(emitted));
    }

    private string? MisreadPlate(string plate, Misread misread)
    {
        var chars = plate.ToCharArray();
        var confusable = Enumerable.Range(0, chars.Length).Where(i => ClassOf(chars[i]) is not null).OrderBy(_ => _random.Next()).ToList();
        switch (misread)
        {
            case Misread.EquivalentOne when confusable.Count >= 1:
                chars[confusable[0]] = Twin(chars[confusable[0]]);
                return new string(chars);
            case Misread.EquivalentTwo when confusable.Count >= 2:
                chars[confusable[0]] = Twin(chars[confusable[0]]);
                chars[confusable[1]] = Twin(chars[confusable[1]]);
                return new string(chars);
            case Misread.Other:
                var candidates = Enumerable.Range(0, chars.Length).Where(i => ClassOf(chars[i]) is null && char.IsLetter(chars[i])).ToList();
                if (candidates.Count == 0)
                {
                    return null;
                }

                var at = candidates[_random.Next(candidates.Count)];
                char replacement;
                do
                {
                    replacement = (char)('A' + _random.Next(26));
                }
                while (replacement == chars[at] || ClassOf(replacement) is not null);
                chars[at] = replacement;
                return new string(chars);
            default:
                return null;
        }
    }

    private char Twin(char c)
    {
        var cls = ClassOf(c)!;
        string pick;
        do
        {
            pick = cls[_random.Next(cls.Length)];
        }
        while (pick[0] == c);
        return pick[0];
    }

    private static string[]? ClassOf(char c) => OcrClasses.FirstOrDefault(cls => cls.Contains(c.ToString()));

    private static bool HasOcrCharacter(string plate) => plate.Any(c => ClassOf(c) is not null);

    /// <summary>The equivalence key, computed here independently of the engine's table.</summary>
    private static string Key(string plate) => string.Concat(plate.Select(c => ClassOf(c)?[0][0] ?? c));

    /// <summary>Cameras and exports render plates untidily: spaces, lower case, hyphens.</summary>
    private string Render(string plate) => _random.Next(100) switch
    {
        < 5 when plate.Length == 7 => plate[..4] + " " + plate[4..],
        < 7 => plate.ToLowerInvariant(),
        < 8 when plate.Length > 3 => plate[..2] + "-" + plate[2..],
        _ => plate,
    };

    // ---- flagged locations ---------------------------------------------------------------------------------

    /// <summary>
    /// Places the flagged locations around the cameras with the most expected hits, writes locations/&lt;force&gt;.csv and
    /// raises the expected hits read inside one (the oracle: brute force over every location, DESIGN §8).
    /// </summary>
    private (List<string> Files, int Raised) ApplyLocations(string outDirectory, List<ExpectedHit> expected)
    {
        var cameraOf = _cameras.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var busiest = expected.Where(e => _hitCameras.ContainsKey((e.ReadId, e.MarkerId))).GroupBy(e => _hitCameras[(e.ReadId, e.MarkerId)]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => cameraOf[g.Key]).ToList();
        var locations = FlaggedLocations.Plan(busiest, _cameras, _options.Seed);
        var raised = 0;
        for (var i = 0; i < expected.Count; i++)
        {
            var hit = expected[i];
            if (!_hitCameras.TryGetValue((hit.ReadId, hit.MarkerId), out var cameraId))
            {
                continue; // the read carried no position
            }

            var camera = cameraOf[cameraId];
            var ukDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(hit.ObservedAt, London).DateTime);
            if (FlaggedLocations.Raising(locations, camera.Lat, camera.Lon, ukDate) is { } place)
            {
                expected[i] = hit with { Priority = FlaggedLocations.Raise(hit.Priority), LocationRef = place.Ref };
                raised++;
            }
        }

        return (FlaggedLocations.Write(outDirectory, locations), raised);
    }

    // ---- reads file and ground truth -----------------------------------------------------------------------

    private (List<MalformedLine> Malformed, List<ExpectedHit> Expected, long Lines) WriteReads(string path, List<Read> reads, List<Marker> markers, Action<double> progress)
    {
        var markersByKey = markers.ToLookup(m => Key(m.Vrm));
        var malformedAt = new SortedDictionary<int, string>();
        string[] kinds = ["not-json", "missing-readId", "unknown-force", "invalid-vrm", "wrong-type-lat", "no-offset", "oversized-site", "truncated", "array", "bad-confidence", "null-vrm", "invalid-utf8"];
        foreach (var kind in kinds)
        {
            int at;
            do
            {
                at = _random.Next(reads.Count);
            }
            while (!malformedAt.TryAdd(at, kind));
        }

        var blankAt = new HashSet<int> { _random.Next(reads.Count), _random.Next(reads.Count) };
        var malformed = new List<MalformedLine>();
        var expected = new List<ExpectedHit>();
        var alertedSoFar = new Dictionary<(string Marker, string Force), List<(DateTimeOffset At, int Index, (double Lat, double Lon)? Position)>>();
        var clones = new CloneGroundTruth();
        long line = 0;
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new Utf8JsonWriter(file, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        for (var i = 0; i < reads.Count; i++)
        {
            if (malformedAt.TryGetValue(i, out var kind))
            {
                line++;
                file.Write(MalformedBytes(kind, i));
                file.WriteByte((byte)'\n');
                malformed.Add(new MalformedLine(line, kind));
            }

            if (blankAt.Contains(i))
            {
                line++;
                file.WriteByte((byte)'\n');
            }

            var read = reads[i];
            var readId = $"rd-{_options.Seed}-{i + 1:D7}";
            line++;
            WriteRead(writer, read, readId);
            writer.Flush();
            writer.Reset();
            file.WriteByte((byte)'\n');
            var before = expected.Count;
            Expect(read, readId, markersByKey, expected, alertedSoFar, clones, _options.LiveAt - _options.MaxReadAge);
            // Only a read that carries its camera's position can be inside a flagged location (the boundary probes carry none).
            for (var h = before; h < expected.Count && read.Positioned; h++)
            {
                _hitCameras[(expected[h].ReadId, expected[h].MarkerId)] = read.Camera.Id;
            }
            if (i % 50_000 == 0)
            {
                progress(0.4 + 0.6 * i / reads.Count);
            }
        }

        return (malformed, expected, line);
    }

    /// <summary>DESIGN §3 applied by brute force to what was generated: the oracle the engine is checked against.</summary>
    /// <param name="staleBefore">Live scenarios: a read observed before this instant is stale when serve processes it.</param>
    private static void Expect(Read read, string readId, ILookup<string, Marker> markersByKey, List<ExpectedHit> expected, Dictionary<(string, string), List<(DateTimeOffset At, int Index, (double Lat, double Lon)? Position)>> alertedSoFar, CloneGroundTruth clones, DateTimeOffset? staleBefore)
    {
        // Matching by brute force over every marker with the read's equivalence key: exact when the plates are equal,
        // ocr-equivalent when they differ in one position; an exact match anywhere means no ocr-equivalent hits.
        var candidates = markersByKey[Key(read.Emitted)].ToList();
        var exact = candidates.Where(m => m.Vrm == read.Emitted).ToList();
        var (kind, matched) = exact.Count > 0
            ? ("exact", exact)
            : ("ocr-equivalent", candidates.Where(m => m.Vrm.Length == read.Emitted.Length && m.Vrm.Zip(read.Emitted).Count(p => p.First != p.Second) == 1).ToList());
        if (matched.Count == 0)
        {
            return;
        }

        var local = TimeZoneInfo.ConvertTime(read.ObservedAt, London);
        var ukDate = DateOnly.FromDateTime(local.DateTime);
        foreach (var marker in matched)
        {
            var isHit = !(marker.Risk == RiskLevel.Low || (marker.Expires is { } expires && ukDate > expires) || marker.HostForce.Code == read.Camera.Force);

            // Every exact positioned read is a sighting, hit or not; an ocr-equivalent one may be another vehicle.
            var verdict = kind == "exact" && read.Positioned
                ? clones.Observe(marker.MarkerId, readId, isHit, read.ObservedAt, read.Camera.Lat, read.Camera.Lon, read.Cloned)
                : (PossibleClone: false, CloneOfReadId: null, PartnerCloned: false);
            if (!isHit)
            {
                continue;
            }

            // A stale read is never alerted, and so never suppresses a later one nor confirms an earlier alert.
            var night = local.Hour >= 22 || local.Hour < 6;
            var priority = marker.Risk == RiskLevel.High ? (night ? "urgent" : "high") : "routine";
            if (read.ObservedAt < staleBefore)
            {
                expected.Add(new ExpectedHit(
                    readId, marker.MarkerId, marker.SuspectRef, marker.Vrm, read.Emitted, kind, read.Camera.Force, marker.HostForce.Code,
                    false, false, "stale", priority, ukDate > marker.ReviewDue, read.ObservedAt)
                {
                    PossibleClone = verdict.PossibleClone,
                    CloneOfReadId = verdict.CloneOfReadId,
                    ClonedVehicleInvolved = verdict.PossibleClone && (read.Cloned || verdict.PartnerCloned),
                });
                continue;
            }

            var key = (marker.MarkerId, read.Camera.Force);
            // Every alert of this marker and force that arrived before this read, by brute force: one within the window
            // either side of its observed time suppresses it; the one it answers to is the latest at or before it, else
            // the earliest after it.
            if (!alertedSoFar.TryGetValue(key, out var alertsOfKey))
            {
                alertedSoFar[key] = alertsOfKey = [];
            }

            // An exact read of a "verify plate" alert's marker seen too far from it too soon to be the same vehicle (both
            // with positions) is no repeat of it.
            var inWindow = alertsOfKey.Where(a => (read.ObservedAt - a.At).Duration() <= RepeatWindow
                && !(kind == "exact" && expected[a.Index].MatchKind == "ocr-equivalent" && read.Positioned && a.Position is { } at
                     && TooFarTooSoon(at.Lat, at.Lon, a.At, read.Camera.Lat, read.Camera.Lon, read.ObservedAt))).ToList();
            var suppressed = inWindow.Count > 0;
            if (!suppressed)
            {
                alertsOfKey.Add((read.ObservedAt, expected.Count, read.Positioned ? (read.Camera.Lat, read.Camera.Lon) : null));
            }
            else
            {
                var answered = inWindow.Where(a => a.At <= read.ObservedAt).OrderByDescending(a => a.At).Concat(inWindow.Where(a => a.At > read.ObservedAt).OrderBy(a => a.At)).First();
                if (kind == "exact" && expected[answered.Index] is { MatchKind: "ocr-equivalent", ConfirmingReadId: null } alert)
                {
                    expected[answered.Index] = alert with { ConfirmingReadId = readId };
                }
            }

            expected.Add(new ExpectedHit(
                readId, marker.MarkerId, marker.SuspectRef, marker.Vrm, read.Emitted, kind, read.Camera.Force, marker.HostForce.Code,
                false, !suppressed, suppressed ? "suppressed" : null, priority, ukDate > marker.ReviewDue, read.ObservedAt)
            {
                PossibleClone = verdict.PossibleClone,
                CloneOfReadId = verdict.CloneOfReadId,
                ClonedVehicleInvolved = verdict.PossibleClone && (read.Cloned || verdict.PartnerCloned),
            });
        }
    }

    private static int Rank(string priority) => priority switch { "urgent" => 2, "high" => 1, _ => 0 };

    /// <summary>
    /// The repeat rule again, by brute force in arrival order, once flagged locations have raised priorities: an alert
    /// suppresses a hit of its marker and camera force within the window either side only when the hit's priority is no
    /// higher (a raised hit, or an urgent one at night after a daytime alert, is news) and the two could be one vehicle
    /// (a cloned plate on the same force's cameras, or the marked plate far from a "verify plate" alert, is news). Stale hits stay stale and suppress
    /// nothing. Confirmations are worked out afresh with the alerts.
    /// </summary>
    private void Regate(List<ExpectedHit> expected)
    {
        var cameraOf = _cameras.ToDictionary(c => c.Id, StringComparer.Ordinal);
        (double Lat, double Lon)? PositionOf(ExpectedHit hit)
            => _hitCameras.TryGetValue((hit.ReadId, hit.MarkerId), out var id) ? (cameraOf[id].Lat, cameraOf[id].Lon) : null;

        var alerts = new Dictionary<(string, string), List<int>>();
        for (var i = 0; i < expected.Count; i++)
        {
            expected[i] = expected[i] with { ConfirmingReadId = null };
        }

        for (var i = 0; i < expected.Count; i++)
        {
            var hit = expected[i];
            if (hit.NotAlertedReason == "stale")
            {
                continue;
            }

            var key = (hit.MarkerId, hit.CameraForce);
            if (!alerts.TryGetValue(key, out var ofKey))
            {
                alerts[key] = ofKey = [];
            }

            var position = PositionOf(hit);
            var inWindow = ofKey.Where(a =>
            {
                var alert = expected[a];
                return (hit.ObservedAt - alert.ObservedAt).Duration() <= RepeatWindow && Rank(alert.Priority) >= Rank(hit.Priority)
                    && !(position is { } p && PositionOf(alert) is { } q && TooFarTooSoon(q.Lat, q.Lon, alert.ObservedAt, p.Lat, p.Lon, hit.ObservedAt));
            }).ToList();
            var suppressed = inWindow.Count > 0;
            expected[i] = hit with { Alerted = !suppressed, NotAlertedReason = suppressed ? "suppressed" : null };
            if (!suppressed)
            {
                ofKey.Add(i);
                continue;
            }

            var answered = inWindow.Where(a => expected[a].ObservedAt <= hit.ObservedAt).OrderByDescending(a => expected[a].ObservedAt)
                .Concat(inWindow.Where(a => expected[a].ObservedAt > hit.ObservedAt).OrderBy(a => expected[a].ObservedAt)).First();
            if (hit.MatchKind == "exact" && expected[answered] is { MatchKind: "ocr-equivalent", ConfirmingReadId: null } confirmed)
            {
                expected[answered] = confirmed with { ConfirmingReadId = hit.ReadId };
            }
        }
    }

    /// <summary>Two sightings no vehicle could make: at least 5 km apart at over 200 km/h (times floored at a minute).</summary>
    private static bool TooFarTooSoon(double lat1, double lon1, DateTimeOffset at1, double lat2, double lon2, DateTimeOffset at2)
    {
        var km = CloneGroundTruth.GreatCircleKm(lat1, lon1, lat2, lon2);
        var hours = Math.Max(Math.Abs((at1 - at2).TotalSeconds), CloneGroundTruth.MinSeconds) / 3600;
        return km >= CloneGroundTruth.MinDistanceKm && km / hours > CloneGroundTruth.SpeedKmh;
    }

    private void WriteRead(Utf8JsonWriter writer, Read read, string readId)
    {
        writer.WriteStartObject();
        writer.WriteString("readId", readId);
        writer.WriteString("vrm", read.Rendered);
        writer.WriteString("cameraId", read.Camera.Id);
        writer.WriteString("forceCode", _random.Next(50) == 0 ? read.Camera.Force.ToUpperInvariant() : read.Camera.Force);

        // Most cameras report UK local time with its offset; some report UTC.
        var observed = _random.Next(4) == 0 ? read.ObservedAt.ToUniversalTime() : TimeZoneInfo.ConvertTime(read.ObservedAt, London);
        writer.WriteString("observedAt", observed.ToString(observed.Offset == TimeSpan.Zero && _random.Next(2) == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        if (read.Positioned)
        {
            writer.WriteNumber("lat", read.Camera.Lat);
            writer.WriteNumber("lon", read.Camera.Lon);
        }

        writer.WriteString("site", read.Camera.Site);
        writer.WriteString("direction", read.Camera.Direction);
        writer.WriteString("lane", (1 + _random.Next(3)).ToString(CultureInfo.InvariantCulture));
        writer.WriteNumber("confidence", Math.Round(0.7 + _random.NextDouble() * 0.3, 3));
        writer.WriteString("plateImageUrl", $"https://anpr.example.police.uk/images/{readId}/plate.jpg");
        if (_random.Next(5) == 0)
        {
            writer.WriteString("vendorExtra", "ignored");
        }

        writer.WriteEndObject();
    }

    private static byte[] MalformedBytes(string kind, int i) => kind switch
    {
        "not-json" => "this is not json"u8.ToArray(),
        "missing-readId" => Encoding.UTF8.GetBytes($$"""{"vrm":"AB12CDE","cameraId":"X","forceCode":"wiltshire","observedAt":"2026-06-01T10:00:00+01:00"}"""),
        "unknown-force" => Encoding.UTF8.GetBytes($$"""{"readId":"bad-{{i}}-1","vrm":"AB12CDE","cameraId":"X","forceCode":"atlantis","observedAt":"2026-06-01T10:00:00+01:00"}"""),
        "invalid-vrm" => Encoding.UTF8.GetBytes($$"""{"readId":"bad-{{i}}-2","vrm":"!!!","cameraId":"X","forceCode":"wiltshire","observedAt":"2026-06-01T10:00:00+01:00"}"""),
        "wrong-type-lat" => Encoding.UTF8.GetBytes($$"""{"readId":"bad-{{i}}-3","vrm":"AB12CDE","cameraId":"X","forceCode":"wiltshire","observedAt":"2026-06-01T10:00:00+01:00","lat":"north"}"""),
        "no-offset" => Encoding.UTF8.GetBytes($$"""{"readId":"bad-{{i}}-4","vrm":"AB12CDE","cameraId":"X","forceCode":"wiltshire","observedAt":"2026-06-01T10:00:00"}"""),
        "oversized-site" => Encoding.UTF8.GetBytes($$"""{"readId":"bad-{{i}}-5","vrm":"AB12CDE","cameraId":"X","forceCode":"wiltshire","observedAt":"2026-06-01T10:00:00+01:00","site":"{{new string('x', 5000)}}"}"""),
        "truncated" => Encoding.UTF8.GetBytes($$"""{"readId":"bad-{{i}}-6","vrm":"AB12"""),
        "array" => "[1,2,3]"u8.ToArray(),
        "bad-confidence" => Encoding.UTF8.GetBytes($$"""{"readId":"bad-{{i}}-7","vrm":"AB12CDE","cameraId":"X","forceCode":"wiltshire","observedAt":"2026-06-01T10:00:00+01:00","confidence":7}"""),
        "null-vrm" => Encoding.UTF8.GetBytes($$"""{"readId":"bad-{{i}}-8","vrm":null,"cameraId":"X","forceCode":"wiltshire","observedAt":"2026-06-01T10:00:00+01:00"}"""),
        _ => [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D],
    };

    // ---- helpers -------------------------------------------------------------------------------------------

    private string PickHome() => _random.Next(100) < 60 ? CameraNetwork.Hub : CameraNetwork.Forces[1 + _random.Next(CameraNetwork.Forces.Count - 1)];

    private string NewPlate(bool avoidFlagged)
    {
        while (true)
        {
            var plate = NewCurrentPlate();
            if ((!avoidFlagged || !_flaggedKeys.Contains(Key(plate))) && _usedPlates.Add(plate))
            {
                return plate;
            }
        }
    }

    private string NewCurrentPlate() => $"{Letters(2)}{_random.Next(10)}{_random.Next(10)}{Letters(3)}";

    private string Letters(int n) => new(Enumerable.Range(0, n).Select(_ => Letter()).ToArray());

    private char Letter() => (char)('A' + _random.Next(26));

    private static DateTimeOffset Local(DateOnly day, int hour, int minute)
    {
        var local = day.ToDateTime(new TimeOnly(hour, minute));
        while (London.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(local, London.GetUtcOffset(local));
    }

    private static DateOnly UkDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, London).DateTime);

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Quote(string? value) => value is null ? "" : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
