using AnprWatch.Storage.Access;
using AnprWatch.Storage.Audit;
using Dapper;

namespace AnprWatch.Storage.Tests;

/// <summary>
/// The tamper-evident audit chain (what `audit verify` reports for each kind of tampering), key scopes, justifications
/// and typed parameters: expected answers are literal (the hashes were computed outside .NET from the documented
/// canonical form "anprwatch-audit-v1|len:field|…", "-" for null).
/// </summary>
public class AuditChainAndScopeTests
{
    private const long AtMs = 1_780_000_000_000;
    private const string AliceHash = "239817a13a94a97898d2fee5eb048d9325571667f5cd8684abd3aa761fe46485";
    private const string BobAfterAliceHash = "428ff8560034ae6760e97dc1093a5433af1ba91abf7a83e22a6fc4b315f70e8b";
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(AtMs);

    [Test]
    public void An_entry_hash_is_sha256_of_the_previous_hash_and_each_field_with_its_length()
    {
        Assert.Multiple(() =>
        {
            Assert.That(AuditLog.Hash(null, AtMs, "alice", "admin", "consult", "hits", null, null), Is.EqualTo(AliceHash));
            Assert.That(AuditLog.Hash(AliceHash, AtMs, "bob", "analyst", "consult", "hits kent", "Op Railcar: SAR 2026/1", "note"), Is.EqualTo(BobAfterAliceHash));
            Assert.That(AuditLog.Hash(null, AtMs, "élan", "admin", "consult", "x", null, null), Is.EqualTo("77275f75612c9fa3ac65171a9d7b1d6dfcf84033c6913a3a25bec37fb3294ebd"));
            Assert.That(AuditLog.Hash(null, AtMs, "alice", "admin", "consult", "hits", "", null), Is.Not.EqualTo(AliceHash), "an empty justification is not a missing one");
        });
    }

    private static async Task<StoreFixture> ChainOfFourAsync()
    {
        var store = await StoreFixture.CreateAsync("sqlite");
        await store.Audit.AppendAsync(new AuditEntry(At, "alice", "admin", AuditActions.Consult, "hits"));
        await store.Audit.AppendAsync(new AuditEntry(At, "bob", "analyst", AuditActions.Consult, "hits kent", "Op Railcar: SAR 2026/1", "note"));
        await store.Audit.AppendAsync(new AuditEntry(At.AddSeconds(1), "carol", "bureau", AuditActions.Collect, "marker list kent v1"));
        await store.Audit.AppendAsync(new AuditEntry(At.AddSeconds(2), "dave", "admin", AuditActions.Erase, "purge"));
        return store;
    }

    [Test]
    public async Task An_untouched_log_verifies_whole_and_names_its_head()
    {
        await using var store = await ChainOfFourAsync();
        await using (var connection = await store.Database.OpenAsync())
        {
            var rows = (await connection.QueryAsync<(string? Prev, string Hash)>("SELECT prev_hash, entry_hash FROM audit_log ORDER BY audit_id LIMIT 2")).ToList();
            Assert.That(rows, Is.EqualTo(new[] { ((string?)null, AliceHash), (AliceHash, BobAfterAliceHash) }));
        }

        var verification = await store.Audit.VerifyAsync();
        Assert.That((verification.Whole, verification.Entries, verification.Unchained, verification.FirstBadId, verification.Problem), Is.EqualTo((true, 4L, 0L, (long?)null, (string?)null)));
        Assert.That(verification.HeadHash, Has.Length.EqualTo(64).And.Not.EqualTo(BobAfterAliceHash));
    }

    [TestCase("UPDATE audit_log SET subject = 'hits dorset' WHERE audit_id = 2", 2L, 2L, "entry 2 was changed: its fields no longer match its hash")]
    [TestCase("DELETE FROM audit_log WHERE audit_id = 2", 3L, 2L, "entry 2 was removed: entry 3 does not follow entry 1")]
    [TestCase("DELETE FROM audit_log WHERE audit_id IN (2, 3)", 4L, 2L, "entry 2..3 was removed: entry 4 does not follow entry 1")]
    [TestCase("DELETE FROM audit_log WHERE audit_id = 1", 2L, 1L, "entry 2 does not start the chain: the entries before it were removed")]
    [TestCase("UPDATE audit_log SET entry_hash = NULL WHERE audit_id = 3", 3L, 3L, "entry 3 has no hash: it was inserted or replaced outside the application")]
    [TestCase("REHASH 3", 3L, 3L, "entry 3 was inserted out of order or replaced: it does not follow entry 2")]
    public async Task Verification_names_the_first_entry_tampered_with_and_how(string tampering, long firstBad, long entriesRead, string problem)
    {
        await using var store = await ChainOfFourAsync();
        await using (var connection = await store.Database.OpenAsync())
        {
            await connection.ExecuteAsync("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"); // someone with the file
            if (tampering == "REHASH 3")
            {
                // Entry 3 replaced by one that hashes correctly but claims another predecessor.
                var hash = AuditLog.Hash("0000", AtMs + 1000, "carol", "bureau", AuditActions.Collect, "marker list kent v1", null, null);
                await connection.ExecuteAsync("UPDATE audit_log SET prev_hash = '0000', entry_hash = @hash WHERE audit_id = 3", new { hash });
            }
            else
            {
                await connection.ExecuteAsync(tampering);
            }
        }

        var verification = await store.Audit.VerifyAsync();
        Assert.That((verification.Whole, verification.FirstBadId, verification.Entries, verification.Problem), Is.EqualTo((false, (long?)firstBad, entriesRead, problem)));
    }

    [Test]
    public async Task Entries_from_before_the_chain_are_counted_as_unchained_and_the_chain_starts_after_them()
    {
        await using var store = await StoreFixture.CreateAsync("sqlite");
        await using (var connection = await store.Database.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO audit_log (at_ms, actor, role, action, subject) VALUES (1, 'old', 'admin', 'consult', 'a'), (2, 'old', 'admin', 'consult', 'b')");
        }

        await store.Audit.AppendAsync(new AuditEntry(At, "alice", "admin", AuditActions.Consult, "hits"));
        await store.Audit.AppendAsync(new AuditEntry(At, "bob", "analyst", AuditActions.Consult, "hits kent", "Op Railcar: SAR 2026/1", "note"));
        var verification = await store.Audit.VerifyAsync();
        Assert.That((verification.Whole, verification.Entries, verification.Unchained, verification.HeadHash), Is.EqualTo((true, 4L, 2L, (string?)BobAfterAliceHash)));
    }

    [Test]
    public void A_scoped_key_covers_its_forces_whatever_the_case_and_routes_hits_seen_or_marked_there()
    {
        var kent = KeyScope.Resolve(["kent"], null);
        Assert.Multiple(() =>
        {
            Assert.That((kent.IsNational, kent.Label, kent.Stored, kent.Filter), Is.EqualTo((false, "kent", (string?)"kent", (IReadOnlyCollection<string>?)new[] { "kent" })));
            Assert.That((kent.Covers("kent"), kent.Covers("KENT"), kent.Covers("dorset")), Is.EqualTo((true, true, false)));
            Assert.That((kent.Routes("dorset", "kent"), kent.Routes("kent", "dorset"), kent.Routes("dorset", "essex")), Is.EqualTo((true, true, false)));
            var national = KeyScope.National;
            Assert.That((national.IsNational, national.Label, national.Stored, national.Filter, national.Covers("dorset"), national.Routes("a", "b")),
                Is.EqualTo((true, "national", (string?)null, (IReadOnlyCollection<string>?)null, true, true)));
            var southWest = KeyScope.Resolve([], "South West");
            Assert.That((southWest.Label, southWest.Region), Is.EqualTo(("region South West", (string?)"South West")));
            Assert.That(southWest.Forces, Is.EquivalentTo(new[] { "avon-and-somerset", "devon-and-cornwall", "dorset", "gloucestershire", "wiltshire" }));
            Assert.That(KeyScope.Resolve(null, null), Is.SameAs(KeyScope.National));
        });
    }

    [Test]
    public void A_stored_scope_reads_back_and_forces_no_longer_known_never_widen_it_to_national()
    {
        Assert.Multiple(() =>
        {
            Assert.That(KeyScope.FromStored(null, null).IsNational, Is.True);
            Assert.That(KeyScope.FromStored(" ", null).IsNational, Is.True);
            Assert.That(KeyScope.FromStored("kent, dorset", null).Forces, Is.EquivalentTo(new[] { "kent", "dorset" }));
            Assert.That(KeyScope.FromStored("kent,,atlantis", null).Forces, Is.EqualTo(new[] { "kent" }));
            var gone = KeyScope.FromStored("atlantis", "Lost");
            Assert.That((gone.IsNational, gone.Covers("kent"), gone.Covers("atlantis"), gone.Region), Is.EqualTo((false, false, false, (string?)"Lost")));
        });
    }

    [TestCase(null, true, false)]
    [TestCase("", true, false)]
    [TestCase("   ", true, false)]
    [TestCase("x", false, false)]
    [TestCase("123456789", false, false)]
    [TestCase("  123456789  ", false, false)]
    [TestCase("1234567890", false, true)]
    [TestCase("Op Railcar: SAR 2026/114", false, true)]
    public void A_justification_is_a_reason_of_at_least_ten_characters(string? text, bool absent, bool sufficient)
        => Assert.That((Justification.IsAbsent(text), Justification.IsSufficient(text)), Is.EqualTo((absent, sufficient)));

    [Test]
    public void Roles_are_the_four_named_ones_exactly()
    {
        Assert.That(Roles.All, Is.EqualTo(new[] { "bureau", "control-room", "analyst", "admin" }));
        Assert.That(new[] { "bureau", "control-room", "analyst", "admin", "Admin", "", null }.Select(Roles.IsKnown), Is.EqualTo(new[] { true, true, true, true, false, false, false }));
    }

    [Test]
    public void Parameters_are_sized_to_their_columns_and_never_below_the_value()
    {
        Assert.Multiple(() =>
        {
            Assert.That((Typed.HitId("h").Length, Typed.HitId("h").IsAnsi, Typed.HitId(new string('h', 40)).Length), Is.EqualTo((32, true, 40)));
            Assert.That((Typed.MarkerId("m").Length, Typed.MarkerId("m").IsAnsi), Is.EqualTo((32, true)));
            Assert.That((Typed.Vrm("AB12CDE").Length, Typed.Vrm("AB12CDEFGHJK").Length), Is.EqualTo((10, 12)));
            Assert.That((Typed.KeyHash("k").Length, Typed.KeyHash("k").IsFixedLength, Typed.KeyHash("k").IsAnsi, Typed.KeyHash(new string('k', 70)).Length), Is.EqualTo((64, true, true, 70)));
            Assert.That((Typed.ForceCode("kent").Length, Typed.ForceCode("kent").IsAnsi, Typed.ForceCode(null).Length), Is.EqualTo((32, false, 32)));
            Assert.That((Typed.Reason("misread").Length, Typed.Reason(null).Value), Is.EqualTo((32, (string?)null)));
        });
    }
}
