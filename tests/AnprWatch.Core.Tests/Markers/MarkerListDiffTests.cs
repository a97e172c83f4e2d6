using AnprWatch.Core.Markers;
using static AnprWatch.Core.Tests.TestData;

namespace AnprWatch.Core.Tests.Markers;

/// <summary>
/// DESIGN §4.2: replacing a force's list records the diff. A marker is identified by (VRM, suspect); any other field
/// differing makes it changed, reported old → new as the CSV writes it; identical ones are counted as unchanged.
/// </summary>
public class MarkerListDiffTests
{
    private static readonly Marker Kept = Marker("AB12CDE", "SR-1");
    private static readonly Marker Reassessed = Marker("CD34EFG", "SR-2", RiskLevel.High);
    private static readonly Marker Dropped = Marker("EF56GHI", "SR-3");
    private static readonly Marker Untouched = Marker("GH78IJK", "SR-4", RiskLevel.Medium);
    private static readonly Marker Newcomer = Marker("XY19ABC", "SR-5");

    private static async IAsyncEnumerable<Marker> Stream(params Marker[] markers)
    {
        foreach (var marker in markers)
        {
            await Task.Yield();
            yield return marker;
        }
    }

    [Test]
    public void A_replacement_reports_the_added_removed_changed_and_unchanged_markers()
    {
        var next = new[] { Kept, Reassessed with { Risk = RiskLevel.Medium, Operation = "OP-X" }, Untouched, Newcomer };
        var diff = MarkerListDiff.Compute([Kept, Reassessed, Dropped, Untouched], next);
        Assert.Multiple(() =>
        {
            Assert.That(diff.Added, Is.EqualTo(new[] { Newcomer }));
            Assert.That(diff.AddedCount, Is.EqualTo(1));
            Assert.That(diff.Removed, Is.EqualTo(new[] { Dropped }));
            Assert.That(diff.RemovedCount, Is.EqualTo(1));
            Assert.That(diff.Changed, Has.Count.EqualTo(1));
            Assert.That(diff.ChangedCount, Is.EqualTo(1));
            Assert.That(diff.Unchanged, Is.EqualTo(2));
            // Current list: 1 removed + 1 changed + 2 unchanged.
            Assert.That(diff.CurrentCount, Is.EqualTo(4));
            Assert.That(diff.Matching, Is.Null, "no rule given");
            Assert.That(diff.Replacement, Is.SameAs(next), "nothing kept: the new file is stored as it is");
            Assert.That(diff.KeptReviews, Is.EqualTo(0));
            Assert.That(diff.KeptReviewMarkers, Is.Empty);
        });
        var change = diff.Changed[0];
        Assert.Multiple(() =>
        {
            Assert.That(change.Before, Is.SameAs(Reassessed));
            Assert.That(change.After.Risk, Is.EqualTo(RiskLevel.Medium));
            Assert.That(change.Fields, Is.EqualTo(new[] { "risk_level", "operation" }));
            Assert.That(change.Changes, Is.EqualTo(new[] { new FieldChange("risk_level", "HIGH", "MEDIUM"), new FieldChange("operation", null, "OP-X") }));
            Assert.That(change.Changes.Select(c => c.ToString()), Is.EqualTo(new[] { "risk_level HIGH → MEDIUM", "operation (empty) → OP-X" }));
        });
    }

    [Test]
    public void Every_field_a_bureau_user_edits_is_reported_old_to_new()
    {
        var before = new Marker("AB12CDE", "SR-1", RiskLevel.High, Avon, new DateOnly(2027, 1, 1), null, "OP-A", "Stop and check", "DS Jones", "ACT");
        var after = new Marker("AB12CDE", "SR-1", RiskLevel.Low, Avon, new DateOnly(2027, 2, 1), new DateOnly(2027, 6, 30), null, "Observe only", "DC Smith", "CSE");
        var change = MarkerListDiff.Compute([before], [after]).Changed.Single();
        Assert.Multiple(() =>
        {
            Assert.That(change.Fields, Is.EqualTo(new[] { "risk_level", "review_due", "expires", "operation", "action", "contact", "marker_type" }));
            Assert.That(change.Changes, Is.EqualTo(new[]
            {
                new FieldChange("risk_level", "HIGH", "LOW"),
                new FieldChange("review_due", "2027-01-01", "2027-02-01"),
                new FieldChange("expires", null, "2027-06-30"),
                new FieldChange("operation", "OP-A", null),
                new FieldChange("action", "Stop and check", "Observe only"),
                new FieldChange("contact", "DS Jones", "DC Smith"),
                new FieldChange("marker_type", "ACT", "CSE"),
            }));
            Assert.That(change.Changes[3].ToString(), Is.EqualTo("operation OP-A → (empty)"));
        });
    }

    [TestCase("review_due", TestName = "A new review date alone is a change")]
    [TestCase("expires", TestName = "A new expiry alone is a change")]
    [TestCase("action", TestName = "A new action alone is a change")]
    [TestCase("contact", TestName = "A new contact alone is a change")]
    [TestCase("marker_type", TestName = "A new marker type alone is a change")]
    public void One_changed_field_is_reported_as_exactly_that_field(string field)
    {
        var after = field switch
        {
            "review_due" => Kept with { ReviewDue = new DateOnly(2027, 1, 2) },
            "expires" => Kept with { Expires = new DateOnly(2027, 1, 2) },
            "action" => Kept with { Action = "other" },
            "contact" => Kept with { Contact = "x" },
            _ => Kept with { MarkerType = "CSE" },
        };
        var diff = MarkerListDiff.Compute([Kept], [after]);
        Assert.Multiple(() =>
        {
            Assert.That(diff.Changed.Single().Fields, Is.EqualTo(new[] { field }));
            Assert.That(diff.Changed.Single().Changes.Single().Field, Is.EqualTo(field));
            Assert.That(diff.Unchanged, Is.EqualTo(0));
        });
    }

    [Test]
    public void The_same_plate_linked_to_another_suspect_is_a_new_marker_not_a_change()
    {
        var diff = MarkerListDiff.Compute([Kept], [Kept with { SuspectRef = "SR-9" }]);
        Assert.Multiple(() =>
        {
            Assert.That(diff.AddedCount, Is.EqualTo(1));
            Assert.That(diff.RemovedCount, Is.EqualTo(1));
            Assert.That(diff.ChangedCount, Is.EqualTo(0));
            Assert.That(diff.Unchanged, Is.EqualTo(0));
        });
    }

    [Test]
    public void Removed_markers_are_listed_by_plate_then_suspect_and_added_ones_in_file_order()
    {
        var current = new[] { Marker("ZZ99ZZZ", "SR-1"), Marker("AB12CDE", "SR-2"), Marker("AB12CDE", "SR-10"), Marker("MM55MMM", "SR-1") };
        var next = new[] { Marker("YY11YYY", "SR-1"), Marker("BB22BBB", "SR-1") };
        var diff = MarkerListDiff.Compute(current, next);
        Assert.Multiple(() =>
        {
            // Ordinal: "SR-10" sorts before "SR-2".
            Assert.That(diff.Removed.Select(m => m.Vrm + "/" + m.SuspectRef), Is.EqualTo(new[] { "AB12CDE/SR-10", "AB12CDE/SR-2", "MM55MMM/SR-1", "ZZ99ZZZ/SR-1" }));
            Assert.That(diff.Added.Select(m => m.Vrm), Is.EqualTo(new[] { "YY11YYY", "BB22BBB" }));
            Assert.That(diff.CurrentCount, Is.EqualTo(4));
        });
    }

    [Test]
    public void Changed_markers_are_listed_in_the_new_files_order()
    {
        var a = Marker("AA11AAA", "SR-1");
        var b = Marker("BB22BBB", "SR-1");
        var diff = MarkerListDiff.Compute([a, b], [b with { Contact = "x" }, a with { Contact = "y" }]);
        Assert.That(diff.Changed.Select(c => c.After.Vrm), Is.EqualTo(new[] { "BB22BBB", "AA11AAA" }));
    }

    [Test]
    public void The_matching_rule_counts_the_alerting_markers_held_and_lost()
    {
        var highKept = Marker("AA11AAA", "SR-1", RiskLevel.High);
        var mediumKept = Marker("BB22BBB", "SR-1", RiskLevel.Medium);
        var highLost = Marker("CC33CCC", "SR-1", RiskLevel.High);
        var mediumLost = Marker("DD44DDD", "SR-1", RiskLevel.Medium);
        var lowLost = Marker("EE55EEE", "SR-1", RiskLevel.Low);
        var diff = MarkerListDiff.Compute([highKept, mediumKept, highLost, mediumLost, lowLost], [highKept, mediumKept], m => m.Risk == RiskLevel.High);
        // HIGH in the current list: AA11AAA and CC33CCC (2); of those the new list drops CC33CCC (1).
        Assert.That(diff.Matching, Is.EqualTo((2, 1)));
    }

    [Test]
    public void A_matching_rule_that_counts_nothing_says_zero_not_unknown()
        => Assert.That(MarkerListDiff.Compute([Kept], [], _ => false).Matching, Is.EqualTo((0, 0)));

    [Test]
    public async Task A_streamed_comparison_gives_the_same_diff()
    {
        var next = new[] { Kept, Reassessed with { Risk = RiskLevel.Medium }, Newcomer };
        var diff = await MarkerListDiff.ComputeAsync(Stream(Kept, Reassessed, Dropped), next, CancellationToken.None, matching: m => m.Risk == RiskLevel.High);
        Assert.Multiple(() =>
        {
            Assert.That(diff.Added, Is.EqualTo(new[] { Newcomer }));
            Assert.That(diff.Removed, Is.EqualTo(new[] { Dropped }));
            Assert.That(diff.Changed.Single().Changes, Is.EqualTo(new[] { new FieldChange("risk_level", "HIGH", "MEDIUM") }));
            Assert.That(diff.Unchanged, Is.EqualTo(1));
            // All three current markers are HIGH (TestData's default); Dropped is the one lost.
            Assert.That(diff.Matching, Is.EqualTo((3, 1)));
            Assert.That(diff.Replacement, Is.SameAs(next), "no reviewedHere rule: the file is stored as it is");
        });
    }

    [Test]
    public async Task A_review_recorded_here_after_the_export_is_kept_when_the_export_is_reimported()
    {
        var reviewedHere = Marker("AB12CDE", "SR-1", reviewDue: new DateOnly(2027, 3, 1));
        var fromExport = Marker("AB12CDE", "SR-1", reviewDue: new DateOnly(2027, 1, 1));
        var diff = await MarkerListDiff.ComputeAsync(Stream(reviewedHere), [fromExport], CancellationToken.None, reviewedHere: _ => true);
        Assert.Multiple(() =>
        {
            Assert.That(diff.KeptReviews, Is.EqualTo(1));
            Assert.That(diff.KeptReviewMarkers.Single().ReviewDue, Is.EqualTo(new DateOnly(2027, 3, 1)));
            Assert.That(diff.Replacement!.Single().ReviewDue, Is.EqualTo(new DateOnly(2027, 3, 1)));
            Assert.That(diff.Unchanged, Is.EqualTo(1), "with the later date kept nothing else differs");
            Assert.That(diff.ChangedCount, Is.EqualTo(0));
        });
    }

    [Test]
    public async Task A_later_review_date_not_set_here_is_replaced_by_the_files()
    {
        var current = Marker("AB12CDE", "SR-1", reviewDue: new DateOnly(2027, 3, 1));
        var fromExport = Marker("AB12CDE", "SR-1", reviewDue: new DateOnly(2027, 1, 1));
        var diff = await MarkerListDiff.ComputeAsync(Stream(current), [fromExport], CancellationToken.None, reviewedHere: _ => false);
        Assert.Multiple(() =>
        {
            Assert.That(diff.KeptReviews, Is.EqualTo(0));
            Assert.That(diff.Replacement!.Single().ReviewDue, Is.EqualTo(new DateOnly(2027, 1, 1)));
            Assert.That(diff.Changed.Single().Changes, Is.EqualTo(new[] { new FieldChange("review_due", "2027-03-01", "2027-01-01") }));
        });
    }

    [Test]
    public async Task A_file_with_a_later_review_date_than_the_store_wins_even_for_a_marker_reviewed_here()
    {
        var current = Marker("AB12CDE", "SR-1", reviewDue: new DateOnly(2027, 1, 1));
        var fromExport = Marker("AB12CDE", "SR-1", reviewDue: new DateOnly(2027, 3, 1));
        var sameDate = Marker("CD34EFG", "SR-2", reviewDue: new DateOnly(2027, 1, 1));
        var diff = await MarkerListDiff.ComputeAsync(Stream(current, sameDate), [fromExport, sameDate], CancellationToken.None, reviewedHere: _ => true);
        Assert.Multiple(() =>
        {
            Assert.That(diff.KeptReviews, Is.EqualTo(0));
            Assert.That(diff.Replacement!.Select(m => m.ReviewDue), Is.EqualTo(new[] { new DateOnly(2027, 3, 1), new DateOnly(2027, 1, 1) }));
            Assert.That(diff.Changed.Single().Changes, Is.EqualTo(new[] { new FieldChange("review_due", "2027-01-01", "2027-03-01") }));
            Assert.That(diff.Unchanged, Is.EqualTo(1));
        });
    }

    [Test]
    public void A_huge_replacement_counts_every_marker_but_lists_only_the_first_ten_thousand()
    {
        // 10,001 markers added and 10,001 removed: counts exact, lists capped at DetailLimit (10,000).
        var added = Enumerable.Range(0, 10_001).Select(i => Marker("A" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), "SR-1")).ToList();
        var removed = Enumerable.Range(0, 10_001).Select(i => Marker("B" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), "SR-1")).ToList();
        var changedBefore = Enumerable.Range(0, 10_001).Select(i => Marker("C" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), "SR-1")).ToList();
        var diff = MarkerListDiff.Compute(removed.Concat(changedBefore), [.. added, .. changedBefore.Select(m => m with { Contact = "new" })]);
        Assert.Multiple(() =>
        {
            Assert.That(MarkerListDiff.DetailLimit, Is.EqualTo(10_000));
            Assert.That(diff.AddedCount, Is.EqualTo(10_001));
            Assert.That(diff.Added, Has.Count.EqualTo(10_000));
            Assert.That(diff.Added[^1].Vrm, Is.EqualTo("A009999"));
            Assert.That(diff.RemovedCount, Is.EqualTo(10_001));
            Assert.That(diff.Removed, Has.Count.EqualTo(10_000));
            Assert.That(diff.ChangedCount, Is.EqualTo(10_001));
            Assert.That(diff.Changed, Has.Count.EqualTo(10_000));
            Assert.That(diff.CurrentCount, Is.EqualTo(20_002));
        });
    }
}
