using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using static AnprWatch.Core.Tests.TestData;

namespace AnprWatch.Core.Tests.Markers;

public class MarkerIndexTests
{
    private static List<MarkerMatch> Match(MarkerIndex index, string vrm)
    {
        var matches = new List<MarkerMatch>();
        index.Match(vrm, matches);
        return matches;
    }

    [Test]
    public void Exact_match_wins_over_ocr_equivalent_cousins()
    {
        var index = MarkerIndex.Build([Marker("AB12CDE", "SR-1"), Marker("A812CDE", "SR-2")], OcrEquivalence.Default, 1, 1);
        var matches = Match(index, "AB12CDE");
        Assert.That(matches.Select(m => (m.Marker.SuspectRef, m.Kind)), Is.EqualTo(new[] { ("SR-1", MatchKind.Exact) }));
    }

    [Test]
    public void One_confusable_substitution_is_an_ocr_equivalent_match()
    {
        var index = MarkerIndex.Build([Marker("AB12CDE")], OcrEquivalence.Default, 1, 1);
        Assert.Multiple(() =>
        {
            Assert.That(Match(index, "A812CDE").Single().Kind, Is.EqualTo(MatchKind.OcrEquivalent));
            Assert.That(Match(index, "A81ZCDE"), Is.Empty, "two substitutions exceed MaxOcrSubstitutions = 1");
            Assert.That(Match(index, "AB12CDF"), Is.Empty, "E/F are not in an OCR class");
        });
    }

    [Test]
    public void Two_substitutions_match_when_configured()
    {
        var index = MarkerIndex.Build([Marker("AB12CDE")], OcrEquivalence.Default, 2, 1);
        Assert.That(Match(index, "A81ZCDE").Single().Kind, Is.EqualTo(MatchKind.OcrEquivalent));
    }

    [Test]
    public void One_vehicle_linked_to_two_suspects_gives_two_matches()
    {
        var index = MarkerIndex.Build([Marker("AB12CDE", "SR-1"), Marker("AB12CDE", "SR-2")], OcrEquivalence.Default, 1, 1);
        Assert.That(Match(index, "AB12CDE").Select(m => m.Marker.SuspectRef), Is.EquivalentTo(new[] { "SR-1", "SR-2" }));
    }

    [Test]
    public void A_large_index_finds_what_a_plain_dictionary_of_keys_finds()
    {
        // 50,000 markers of lengths 1–10 fill the open-addressed table enough for collisions and probe runs; every
        // marker, a misread of each and 50,000 other plates must match as the string-keyed model says.
        var random = new Random(11);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        string Plate() => new(Enumerable.Range(0, random.Next(1, 11)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        var markers = Enumerable.Range(0, 50_000).Select(i => Marker(Plate(), "SR-" + i)).ToList();
        var index = MarkerIndex.Build(markers, OcrEquivalence.Default, 1, 1);
        var model = markers.ToLookup(m => OcrEquivalence.Default.Key(m.Vrm));
        var probes = markers.Select(m => m.Vrm).Concat(markers.Select(m => m.Vrm.Replace('0', 'O').Replace('B', '8'))).Concat(Enumerable.Range(0, 50_000).Select(_ => Plate()));
        var wrong = new List<string>();
        foreach (var plate in probes)
        {
            var cousins = model[OcrEquivalence.Default.Key(plate)].ToList();
            var exact = cousins.Where(m => m.Vrm == plate).ToList();
            var expected = (exact.Count > 0 ? exact : cousins.Where(m => OcrEquivalence.Substitutions(plate, m.Vrm) <= 1)).Select(m => m.SuspectRef).Order().ToList();
            var actual = Match(index, plate).Select(m => m.Marker.SuspectRef).Order().ToList();
            if (!actual.SequenceEqual(expected))
            {
                wrong.Add($"{plate}: expected [{string.Join(",", expected)}], got [{string.Join(",", actual)}]");
            }
        }

        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void Nothing_matches_an_unmarked_plate_or_an_empty_index()
    {
        var index = MarkerIndex.Build([Marker("AB12CDE")], OcrEquivalence.Default, 1, 1);
        Assert.Multiple(() =>
        {
            Assert.That(Match(index, "ZZ99ZZZ"), Is.Empty);
            Assert.That(Match(MarkerIndex.Empty, "AB12CDE"), Is.Empty);
        });
    }

    [Test]
    public void Matching_a_read_that_hits_nothing_allocates_nothing()
    {
        var index = MarkerIndex.Build(Enumerable.Range(0, 10_000).Select(i => Marker($"AB{i:D5}", $"SR-{i}")), OcrEquivalence.Default, 1, 1);
        var matches = new List<MarkerMatch>(4);
        index.Match("ZZ99ZZZ", matches);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            index.Match("ZZ99ZZZ", matches);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void The_holder_swaps_whole_indexes()
    {
        var holder = new MarkerIndexHolder();
        var first = holder.Current;
        var next = MarkerIndex.Build([Marker()], OcrEquivalence.Default, 1, 7);
        holder.Swap(next, DateTimeOffset.UnixEpoch);
        Assert.Multiple(() =>
        {
            Assert.That(first.Count, Is.Zero);
            Assert.That(holder.Current, Is.SameAs(next));
            Assert.That(holder.Current.Version, Is.EqualTo(7));
            Assert.That(holder.IsLoaded, Is.True);
        });
    }

    [Test]
    public void Diff_reports_added_removed_and_changed_fields()
    {
        var before = new[] { Marker("AB12CDE", "SR-1"), Marker("CD34EFG", "SR-2"), Marker("EF56GHI", "SR-3") };
        var after = new[] { Marker("AB12CDE", "SR-1"), Marker("CD34EFG", "SR-2", RiskLevel.Medium), Marker("GH78IJK", "SR-4") };
        var diff = MarkerListDiff.Compute(before, after);
        Assert.Multiple(() =>
        {
            Assert.That(diff.Added.Single().SuspectRef, Is.EqualTo("SR-4"));
            Assert.That(diff.Removed.Single().SuspectRef, Is.EqualTo("SR-3"));
            Assert.That(diff.Changed.Single().Fields, Is.EqualTo(new[] { "risk_level" }));
            Assert.That(diff.Unchanged, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_diff_of_a_huge_change_counts_everything_and_keeps_the_first_details_in_file_order()
    {
        var n = MarkerListDiff.DetailLimit + 25;
        var before = Enumerable.Range(0, n).Select(i => Marker($"AB{i:D5}", $"SR-{i}")).ToList();
        var after = Enumerable.Range(0, n).Select(i => Marker($"AB{i:D5}", $"SR-{i}", RiskLevel.Medium))
            .Concat(Enumerable.Range(0, n).Select(i => Marker($"CD{i:D5}", $"SR-NEW-{i}"))).ToList();
        var diff = await MarkerListDiff.ComputeAsync(before.Where((_, i) => i % 2 == 0).Concat(before.Where((_, i) => i % 2 == 1)).ToAsyncEnumerable(), after, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(diff.ChangedCount, Is.EqualTo(n));
            Assert.That(diff.AddedCount, Is.EqualTo(n));
            Assert.That(diff.RemovedCount, Is.Zero);
            Assert.That(diff.Changed, Has.Count.EqualTo(MarkerListDiff.DetailLimit));
            Assert.That(diff.Changed.Select(c => int.Parse(c.After.SuspectRef[3..], System.Globalization.CultureInfo.InvariantCulture)), Is.Ordered, "changes are listed in the new file's order, whatever order the store streamed");
            Assert.That(diff.Added, Has.Count.EqualTo(MarkerListDiff.DetailLimit));
            Assert.That(diff.Added[0].SuspectRef, Is.EqualTo("SR-NEW-0"), "added markers keep the new file's order");
        });
    }
}
