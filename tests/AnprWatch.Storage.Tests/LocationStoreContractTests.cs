using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Locations;
using AnprWatch.Core.Markers;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Locations;

namespace AnprWatch.Storage.Tests;

/// <summary>The location half of the storage contract (DESIGN §8), on both dialects like <see cref="StorageContractTests"/>.</summary>
[TestFixtureSource(typeof(StorageContractTests), nameof(StorageContractTests.Dialects))]
public class LocationStoreContractTests(string dialect)
{
    private static readonly Force Dorset = ForceRegistry.Get("dorset");
    private static readonly Force Kent = ForceRegistry.Get("kent");
    private StoreFixture _store = null!;
    private LocationListStore _locations = null!;

    [SetUp]
    public async Task SetUp()
    {
        _store = await StoreFixture.CreateAsync(dialect);
        _locations = new LocationListStore(_store.Database, _store.Audit, _store.Clock);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private static Location L(string reference, Force force, int radius = 250, DateOnly? expires = null, string? notes = null)
        => new(reference, "Car park, " + reference, 50.712345, -2.301234, radius, RiskLevel.High, force, new DateOnly(2027, 1, 31), expires, notes);

    private async Task<LocationListVersion> ReplaceAsync(Force force, params Location[] next)
        => await _locations.ReplaceAsync(force, next, "tester", "bureau", new string('b', 64), LocationListDiff.Compute(await _locations.GetActiveAsync(force.Code), next), "import");

    [Test]
    public async Task A_replacement_checked_against_a_version_that_is_no_longer_active_changes_nothing()
    {
        Assert.That(await _locations.GetActiveVersionAsync(Dorset.Code), Is.Zero, "no list yet");
        Location[] first = [L("LOC-1", Dorset), L("LOC-2", Dorset)];
        Location[] second = [L("LOC-3", Dorset)];

        // Two bureau users check their files (or rollbacks) against "no list"; the first to commit wins.
        var v1 = await _locations.ReplaceAsync(Dorset, first, "user-a", "bureau", new string('a', 64), LocationListDiff.Compute([], first), "import", expectedActiveVersion: 0);
        Assert.That(async () => await _locations.ReplaceAsync(Dorset, second, "user-b", "bureau", new string('b', 64), LocationListDiff.Compute([], second), "import", expectedActiveVersion: 0),
            Throws.TypeOf<LocationListChangedException>().With.Message.EqualTo(
                "the location list of dorset changed while this was being prepared (version 1 is now active; this change was checked against version 0): " +
                "nothing was changed. Look at the list again (a dry run shows the diff) and repeat."));

        Assert.That(v1.Version, Is.EqualTo(1));
        Assert.That(await _locations.GetActiveVersionAsync(Dorset.Code), Is.EqualTo(1));
        Assert.That((await _locations.GetActiveAsync(Dorset.Code)).Select(l => l.Ref), Is.EqualTo(new[] { "LOC-1", "LOC-2" }));
        Assert.That((await _locations.HistoryAsync(Dorset.Code)).Select(v => v.LoadedBy), Is.EqualTo(new[] { "user-a" }));

        // Checked against the version that is active: accepted as version 2.
        var v2 = await _locations.ReplaceAsync(Dorset, second, "user-b", "bureau", new string('b', 64), LocationListDiff.Compute(first, second), "import", expectedActiveVersion: 1);
        Assert.That((v2.Version, await _locations.GetActiveVersionAsync(Dorset.Code)), Is.EqualTo((2L, 2L)));
    }

    [Test]
    public async Task Each_replacement_is_a_new_active_version_and_every_earlier_one_is_kept_exactly()
    {
        Assert.That(await _locations.GetGenerationAsync(), Is.Zero);
        var v1 = await ReplaceAsync(Dorset, L("LOC-2", Dorset, expires: new DateOnly(2026, 8, 31), notes: "notes, with comma"), L("LOC-1", Dorset));
        await ReplaceAsync(Kent, L("LOC-K", Kent));
        var generation = await _locations.GetGenerationAsync();
        var v2 = await ReplaceAsync(Dorset, L("LOC-1", Dorset, radius: 400));

        Assert.That((v1.Version, v2.Version, v2.Added, v2.Removed, v2.Changed), Is.EqualTo((1L, 2L, 0L, 1L, 1L)));
        Assert.That(await _locations.GetGenerationAsync(), Is.GreaterThan(generation), "serve notices the replacement");
        Assert.That((await _locations.GetActiveAsync()).Select(l => $"{l.Force.Code} {l.Ref} {l.RadiusM}"), Is.EqualTo(new[] { "dorset LOC-1 400", "kent LOC-K 250" }));
        Assert.That((await _locations.GetActiveAsync(Kent.Code)).Single().Ref, Is.EqualTo("LOC-K"));

        var first = await _locations.GetVersionAsync(Dorset.Code, 1);
        Assert.That(first, Is.EqualTo(new[] { L("LOC-1", Dorset), L("LOC-2", Dorset, expires: new DateOnly(2026, 8, 31), notes: "notes, with comma") }), "every field round-trips");
        Assert.That(await _locations.GetVersionAsync(Dorset.Code, 9), Is.Null);
        Assert.That((await _locations.HistoryAsync(Dorset.Code)).Select(v => (v.Version, v.IsActive, v.LocationCount)), Is.EqualTo(new[] { (1L, false, 2L), (2L, true, 1L) }));
    }

    [Test]
    public async Task A_hit_keeps_the_location_that_raised_it()
    {
        var marker = new Marker("AB12CDE", "SR-1", RiskLevel.Medium, ForceRegistry.Get("avon-and-somerset"), new DateOnly(2027, 1, 1), null, null, null, null, "ACT");
        var at = new DateTimeOffset(2026, 5, 30, 12, 0, 0, TimeSpan.FromHours(1));
        Hit Make(string readId, string? location) => new()
        {
            HitId = HitIds.ForHit(readId, marker.MarkerId), AlertId = HitIds.ForAlert(HitIds.ForHit(readId, marker.MarkerId)), ReadId = readId, MarkerId = marker.MarkerId,
            Vrm = marker.Vrm, MarkerVrm = marker.Vrm, MatchKind = MatchKind.Exact, ObservedAt = at, CameraId = "CAM", Lat = 50.7, Lon = -2.3, CameraForce = Dorset,
            HostForce = marker.HostForce, Risk = marker.Risk, Priority = location is null ? Priority.Routine : Priority.High, SuspectRef = marker.SuspectRef,
            ReviewOverdue = false, InForce = false, RecordedAt = at, LocationRef = location,
        };

        var stored = await _store.Hits.SaveHitsAsync([Make("r-in", "LOC-1"), Make("r-out", null)], CancellationToken.None);
        Assert.That(stored.Select(h => (h.ReadId, h.LocationRef)), Is.EqualTo(new[] { ("r-in", (string?)"LOC-1"), ("r-out", null) }));
        var queried = await _store.Hits.QueryAsync(new HitQuery(at.AddDays(-1), at.AddDays(1)));
        Assert.That(queried.OrderBy(h => h.ReadId, StringComparer.Ordinal).Select(h => $"{h.ReadId} {h.Priority.Label()} {h.LocationRef}"), Is.EqualTo(new[] { "r-in high LOC-1", "r-out routine " }));
    }
}
