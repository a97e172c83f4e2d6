using System.Diagnostics;
using System.Text;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using AnprWatch.Core.Reads;

namespace AnprWatch.Tests.Reliability;

/// <summary>
/// Hostile input at volume (30,000 cases per reader in the short form, 1,000,000 in <c>./build.sh faults</c>):
/// no exception escapes the read decoder or the marker CSV reader, and every case ends as a decision or a reason.
/// </summary>
[Category("Faults")]
public class FuzzTests
{
    private static readonly FaultScale Scale = FaultScale.Current;

    private static readonly string[] ValidReads =
    [
        """{"readId":"r-1","vrm":"AB12 CDE","cameraId":"WIL-CAM-001","forceCode":"WILTSHIRE","observedAt":"2026-06-01T22:15:00+01:00","lat":51.35,"lon":-1.99,"site":"A350 northbound","direction":"N","lane":"1","confidence":0.97,"plateImageUrl":"https://anpr.example/p/1.jpg","overviewImageUrl":"https://anpr.example/o/1.jpg"}""",
        """{"readId":"r-2","vrm":"HR12ABC","cameraId":"DOR-7","forceCode":"dorset","observedAt":"2026-10-25T01:30:00Z"}""",
        """{"vrm":"A1","readId":"\u0072-3","observedAt":"2026-03-29T00:59:59Z","forceCode":"AVON-AND-SOMERSET","cameraId":"C","extra":{"nested":[1,2,3]}}""",
    ];

    [Test]
    public void The_read_decoder_answers_every_hostile_read_with_a_decision_or_a_reason()
    {
        var mutator = new Mutator(20261122);
        var seeds = ValidReads.Select(Encoding.UTF8.GetBytes).ToArray();
        var accepted = 0;
        var rejected = 0;
        var failures = new List<string>();
        var kinds = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        Span<char> vrm = stackalloc char[Vrm.MaxLength];
        for (var i = 0; i < Scale.FuzzCases; i++)
        {
            var input = mutator.Mutate(seeds[i % seeds.Length]);
            kinds[mutator.Kind] = kinds.GetValueOrDefault(mutator.Kind) + 1;
            try
            {
                if (ReadDecoder.TryDecodeHead(input, vrm, out var head, out var error))
                {
                    // The pipeline materialises every read that matches: an accepted head must always materialise.
                    var read = ReadDecoder.Materialise(input, out var materialiseError);
                    if (read is null || read.Vrm != new string(vrm[..head.VrmLength]))
                    {
                        failures.Add($"case {i} ({mutator.Kind}): head accepted but materialise said {materialiseError}: {Show(input)}");
                    }

                    accepted++;
                }
                else if (string.IsNullOrWhiteSpace(error))
                {
                    failures.Add($"case {i} ({mutator.Kind}): rejected without a reason: {Show(input)}");
                }
                else
                {
                    rejected++;
                }
            }
            catch (Exception ex)
            {
                failures.Add($"case {i} ({mutator.Kind}): {ex.GetType().Name}: {ex.Message}: {Show(input)}");
            }
        }

        var pass = failures.Count == 0 && accepted + rejected == Scale.FuzzCases;
        FaultReport.Write("fuzz read decoder", pass, $"{FaultReport.N(Scale.FuzzCases)} cases in {clock.Elapsed.TotalSeconds:0.0} s: {FaultReport.N(accepted)} decided valid, "
            + $"{FaultReport.N(rejected)} rejected with a reason, {failures.Count} failures; {string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {FaultReport.N(k.Value)}"))}");
        Assert.That(failures.Take(10), Is.Empty);
        Assert.That(accepted, Is.GreaterThan(0), "some mutations stay valid, or the generator is broken");
    }

    [Test]
    public async Task Replay_of_hostile_lines_ends_each_one_as_a_decision_or_a_dead_letter()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", "vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-1,HIGH,avon-and-somerset,2099-01-01\nHR12ABC,SR-2,HIGH,avon-and-somerset,2099-01-01\n");

        // One hostile read per line: newlines inside a case would split it, so they become spaces.
        var mutator = new Mutator(7);
        var seeds = ValidReads.Select(Encoding.UTF8.GetBytes).ToArray();
        var lines = Math.Min(Scale.FuzzCases, 100_000);
        var reads = cli.PathOf("fuzz.jsonl");
        await using (var file = File.Create(reads))
        {
            for (var i = 0; i < lines; i++)
            {
                var line = mutator.Mutate(seeds[i % seeds.Length]).Select(b => b is (byte)'\n' or (byte)'\r' ? (byte)' ' : b).ToArray();
                file.Write(line.Length == 0 ? "x"u8 : line);
                file.WriteByte((byte)'\n');
            }
        }

        var replay = await cli.RunAsync("replay", reads);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);
        var processed = long.Parse(System.Text.RegularExpressions.Regex.Match(replay.Out, @"reads\s+([\d,]+)").Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        var deadLetters = File.ReadLines(cli.PathOf("fuzz.dlq.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToList();
        var pass = processed == lines && deadLetters.All(d => !string.IsNullOrWhiteSpace(d["reason"]?.GetValue<string>()));
        FaultReport.Write("fuzz replay", pass, $"{FaultReport.N(lines)} hostile lines: {FaultReport.N(processed)} processed, {FaultReport.N(deadLetters.Count)} dead letters each with a reason, "
            + $"{FaultReport.N(processed - deadLetters.Count)} decided valid");
        Assert.That(processed, Is.EqualTo(lines), replay.Out);
        Assert.That(deadLetters, Has.Count.LessThan(lines).And.Count.GreaterThan(0));
        Assert.That(deadLetters.Select(d => d["reason"]?.GetValue<string>()), Has.All.Not.Null.And.Not.Empty);
    }

    [Test]
    public async Task Well_formed_hostile_reads_in_every_field_end_as_the_contract_says_through_the_store()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", "vrm,suspect_ref,risk_level,host_force,review_due\n"
            + string.Concat(HostileReadGenerator.MarkedPlates.Select((p, i) => $"{p},SR-HZ-{i},HIGH,avon-and-somerset,2099-01-01\n")));

        // Capped below the byte fuzzer's count: one case in ~70 carries a 70 KB field, and every case goes through the store.
        var count = Math.Min(Scale.FuzzCases, Scale.Name == "long" ? 100_000 : 20_000);
        var generator = new HostileReadGenerator(20261130, TestClock.UtcNow);
        var cases = new List<HostileRead>(count);
        var wellFormed = 0;
        var reads = cli.PathOf("hostile.jsonl");
        await using (var file = File.Create(reads))
        {
            for (var i = 0; i < count; i++)
            {
                var read = generator.Next();
                cases.Add(read);
                var bytes = HostileReadGenerator.Utf8(read.Line);

                // Reached field validation = well-formed JSON, judged by a second parser (JsonDocument keeps escapes as they are).
                try
                {
                    using var document = System.Text.Json.JsonDocument.Parse(bytes, new System.Text.Json.JsonDocumentOptions { MaxDepth = 64 });
                    wellFormed++;
                }
                catch (System.Text.Json.JsonException)
                {
                }

                file.Write(bytes);
                file.WriteByte((byte)'\n');
            }
        }

        var clock = Stopwatch.StartNew();
        var replay = await cli.RunAsync("replay", reads);
        Assert.That(replay.ExitCode, Is.Zero, replay.Out + replay.Err);
        var deadLettered = File.ReadLines(cli.PathOf("hostile.dlq.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!)
            .ToDictionary(d => d["line"]!.GetValue<long>(), d => d["reason"]!.GetValue<string>());
        var stored = (await cli.ColumnAsync("SELECT read_id FROM hits")).ToHashSet(StringComparer.Ordinal);

        var failures = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var dead = deadLettered.TryGetValue(i + 1, out var reason);
            var hit = stored.Contains(c.ReadId);
            var wrong = c.Verdict switch
            {
                Verdict.Reject when !dead => "must be dead-lettered",
                Verdict.Reject when hit => "dead-lettered but also stored",
                Verdict.Accept when dead => $"must be decided, was dead-lettered: {reason}",
                Verdict.Accept when c.Marked != hit => c.Marked ? "a marked plate, but no hit stored" : "no marked plate, but a hit stored",
                Verdict.Either when dead && hit => "dead-lettered and stored",
                _ => null,
            };
            if (wrong is not null)
            {
                failures.Add($"case {i} [{c.Kinds}] {wrong}: {c.Line[..Math.Min(c.Line.Length, 300)]}");
            }
        }

        var unexpected = stored.Except(cases.Where(c => c.Marked && c.Verdict != Verdict.Reject).Select(c => c.ReadId)).ToList();
        var reachedStore = cases.Count(c => stored.Contains(c.ReadId));
        var pass = failures.Count == 0 && unexpected.Count == 0;
        FaultReport.Write("fuzz hostile JSON through the store", pass,
            $"{FaultReport.N(count)} well-formed-by-construction cases with 1–3 hostile values each, through replay and the store in {clock.Elapsed.TotalSeconds:0.0} s: "
            + $"{100.0 * wellFormed / count:0.0}% well-formed JSON (reached field validation), "
            + $"{100.0 * cases.Count(c => c.Verdict == Verdict.Accept) / count:0.0}% valid by the contract, "
            + $"{100.0 * deadLettered.Count / count:0.0}% dead-lettered, {100.0 * reachedStore / count:0.0}% reached the store as hits; "
            + $"{failures.Count} verdict failures, {unexpected.Count} unexpected hits; {generator.Counts.Count} hostile value kinds, each in ≥ {generator.Counts.Values.Min()} cases");
        Assert.That(failures.Take(10), Is.Empty);
        Assert.That(unexpected, Is.Empty);
        Assert.That(reachedStore, Is.GreaterThan(count / 20), "enough cases must reach the store for the test to mean anything");
        Assert.That(wellFormed, Is.GreaterThan(count * 9 / 10), "the generator must produce well-formed JSON");
    }

    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type";

    private static readonly string ValidCsv = Header + "\r\n" + string.Join("\r\n",
        "AB12CDE,SR-1,HIGH,wiltshire,2099-01-01,,RAILCAR,\"Notify RIU, do not stop\",RIU 0117,ACT",
        "HR12ABC,SR-2,MEDIUM,wiltshire,2099-02-01,2099-12-31,,,\"line one\nline two\",ACT",
        "A1,SR-3,LOW,wiltshire,2099-03-01,,,,,") + "\r\n";

    [Test]
    public void The_marker_csv_reader_answers_every_hostile_file_with_markers_or_numbered_errors()
    {
        var mutator = new Mutator(20261123);
        var seed = Encoding.UTF8.GetBytes(ValidCsv);
        var force = ForceRegistry.Get("wiltshire");
        var today = new DateOnly(2026, 11, 22);
        int valid = 0, refused = 0;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Scale.FuzzCases; i++)
        {
            var input = mutator.Mutate(seed);
            try
            {
                var result = MarkerCsvReader.Read(new MemoryStream(input), force, today);
                if (result.IsValid)
                {
                    valid++;
                    if (result.Markers.Count == 0 || result.Markers.Any(m => m.HostForce != force))
                    {
                        failures.Add($"case {i} ({mutator.Kind}): accepted a file with no markers or another force's: {Show(input)}");
                    }
                }
                else
                {
                    refused++;
                    if (result.Errors.Any(e => string.IsNullOrWhiteSpace(e.Message) || e.Line < 0))
                    {
                        failures.Add($"case {i} ({mutator.Kind}): an error without a message or line: {Show(input)}");
                    }
                }
            }
            catch (Exception ex)
            {
                failures.Add($"case {i} ({mutator.Kind}): {ex.GetType().Name}: {ex.Message}: {Show(input)}");
            }
        }

        var pass = failures.Count == 0 && valid + refused == Scale.FuzzCases;
        FaultReport.Write("fuzz marker csv", pass, $"{FaultReport.N(Scale.FuzzCases)} files in {clock.Elapsed.TotalSeconds:0.0} s: {FaultReport.N(valid)} valid, {FaultReport.N(refused)} refused with numbered errors, {failures.Count} failures");
        Assert.That(failures.Take(10), Is.Empty);
        Assert.That(valid, Is.GreaterThan(0));
    }

    private static string Show(byte[] input) => Convert.ToBase64String(input.AsSpan(0, Math.Min(input.Length, 300)));
}
