using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using AnprWatch.Tests.Web;

namespace AnprWatch.Tests.Locations;

/// <summary>
/// Issue 17: location lists get the marker lists' history and rollback over HTTP. A bureau key for Dorset reads the
/// history, previews a rollback's diff (nothing changes), applies it, and meets the removal guard (409, then
/// confirmRemovals=true) on a replacement and on a rollback; other forces' lists answer 403; every step is audited.
/// Every expected answer is written out here by hand from the files the test loads, on a fixed clock.
/// </summary>
[NonParallelizable]
public class LocationHistoryApiTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 10, 0, 0, TimeSpan.Zero);
    private const string Header = "location_ref,name,lat,lon,radius_m,risk_level,force,review_due\n";

    private static string Row(string reference, int radius) => $"{reference},Car park {reference},50.7,-2.3,{radius},HIGH,dorset,2099-01-01\n";

    [Test]
    public async Task A_dorset_bureau_key_reads_the_history_previews_and_applies_rollbacks_and_confirms_removals()
    {
        var clock = new FakeTimeProvider(Now);
        using var cli = new CliRunner(clock: clock);
        var bureau = (await cli.RunAsync("keys", "create", "--role", "bureau", "--name", "bureau-dorset", "--force", "dorset")).Out.Trim();
        var controlRoom = (await cli.RunAsync("keys", "create", "--role", "control-room", "--name", "cr-dorset", "--force", "dorset")).Out.Trim();
        var analyst = (await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "riu-national")).Out.Trim();

        // Version 1 from the command line: five places, LOC-1 with a 150 m radius.
        var v1 = Header + Row("LOC-1", 150) + Row("LOC-2", 150) + Row("LOC-3", 150) + Row("LOC-4", 150) + Row("LOC-5", 150);
        await File.WriteAllTextAsync(cli.PathOf("v1.csv"), v1);
        var imported = await cli.RunAsync("locations", "import", cli.PathOf("v1.csv"), "--force", "dorset", "--user", "r.smith");
        Assert.That(imported.ExitCode, Is.Zero, imported.Err);
        var v1Sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(v1)));

        await using var serve = await InProcessServe.StartAsync(cli, clock);
        using var http = serve.CreateClient(bureau);

        async Task<(HttpStatusCode Status, JsonNode? Body)> Send(HttpMethod method, string url, string? csv = null, HttpClient? client = null)
        {
            using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
            if (csv is not null)
            {
                request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
            }

            using var response = await (client ?? http).SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
        }

        static string Json(string literal) => JsonNode.Parse(literal)!.ToJsonString();

        // Version 2 over the API: LOC-1's radius 150 → 300, LOC-5 dropped (1 of 5 = 20 %: within the share, no confirming).
        var v2 = Header + Row("LOC-1", 300) + Row("LOC-2", 150) + Row("LOC-3", 150) + Row("LOC-4", 150);
        var v2Sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(v2)));
        var load2 = await Send(HttpMethod.Post, "/api/locations/dorset", v2);
        Assert.That(load2.Status, Is.EqualTo(HttpStatusCode.OK), load2.Body?.ToJsonString());
        Assert.That(load2.Body!["version"]!.GetValue<long>(), Is.EqualTo(2));

        // History, newest first: who, when, from what, the file's SHA-256 and its counts.
        var history = await Send(HttpMethod.Get, "/api/locations/dorset/history");
        Assert.That(history.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(history.Body!.ToJsonString(), Is.EqualTo(Json($$"""
            [{"version":2,"active":true,"loadedAt":"2026-09-01T10:00:00+00:00","loadedBy":"bureau-dorset","source":"import","sha256":"{{v2Sha}}","locations":4,"added":0,"removed":1,"changed":1},
             {"version":1,"active":false,"loadedAt":"2026-09-01T10:00:00+00:00","loadedBy":"r.smith","source":"import","sha256":"{{v1Sha}}","locations":5,"added":5,"removed":0,"changed":0}]
            """)));

        // A preview of the rollback to version 1: old → new per field, and nothing changes.
        var preview = await Send(HttpMethod.Post, "/api/locations/dorset/rollback?toVersion=1&dryRun=true");
        Assert.That(preview.Status, Is.EqualTo(HttpStatusCode.OK), preview.Body?.ToJsonString());
        Assert.That(preview.Body!.ToJsonString(), Is.EqualTo(Json("""
            {"dryRun":true,"toVersion":1,"diff":{
              "added":[{"locationRef":"LOC-5","name":"Car park LOC-5","radiusM":150,"riskLevel":"HIGH"}],"removed":[],
              "changed":[{"locationRef":"LOC-1","changes":[{"field":"radius_m","before":"300","after":"150"}]}],
              "unchanged":3,"addedCount":1,"removedCount":0,"changedCount":1}}
            """)));
        Assert.That((await Send(HttpMethod.Get, "/api/locations/dorset")).Body!.AsArray(), Has.Count.EqualTo(4), "a preview changes nothing");

        // Applied: version 3 restores version 1 (and carries version 1's file hash).
        var applied = await Send(HttpMethod.Post, "/api/locations/dorset/rollback?toVersion=1");
        Assert.That(applied.Status, Is.EqualTo(HttpStatusCode.OK), applied.Body?.ToJsonString());
        Assert.That(applied.Body!["version"]!.GetValue<long>(), Is.EqualTo(3));
        Assert.That(applied.Body!["locations"]!.GetValue<long>(), Is.EqualTo(5));

        // A truncated file (LOC-1 alone: 4 of 5 places dropped) is refused with the reason until confirmed.
        var truncated = Header + Row("LOC-1", 150);
        var refused = await Send(HttpMethod.Post, "/api/locations/dorset", truncated);
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(refused.Body!["detail"]!.GetValue<string>(), Does.StartWith(
            "the upload would take 4 of the 5 raising locations of dorset out of use (4 removed, 0 expired or lowered to a risk level that does not alert; 80 %, more than Markers:MaxRemovalShare, 20 %)"));
        Assert.That((await Send(HttpMethod.Get, "/api/locations/dorset")).Body!.AsArray(), Has.Count.EqualTo(5), "nothing changed");
        var confirmed = await Send(HttpMethod.Post, "/api/locations/dorset?confirmRemovals=true", truncated);
        Assert.That(confirmed.Status, Is.EqualTo(HttpStatusCode.OK), confirmed.Body?.ToJsonString());
        Assert.That(confirmed.Body!["version"]!.GetValue<long>(), Is.EqualTo(4));

        // Back to five (version 5 restores 3: nothing removed, no confirming), then a rollback to the truncated version 4.
        Assert.That((await Send(HttpMethod.Post, "/api/locations/dorset/rollback?toVersion=3")).Body!["version"]!.GetValue<long>(), Is.EqualTo(5));
        var refusedRollback = await Send(HttpMethod.Post, "/api/locations/dorset/rollback?toVersion=4");
        Assert.That(refusedRollback.Status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(refusedRollback.Body!["detail"]!.GetValue<string>(), Does.StartWith("rolling back to version 4 would take 4 of the 5 raising locations of dorset out of use"));
        var confirmedRollback = await Send(HttpMethod.Post, "/api/locations/dorset/rollback?toVersion=4&confirmRemovals=true");
        Assert.That(confirmedRollback.Status, Is.EqualTo(HttpStatusCode.OK), confirmedRollback.Body?.ToJsonString());
        Assert.That(confirmedRollback.Body!["version"]!.GetValue<long>(), Is.EqualTo(6));

        var sources = (await Send(HttpMethod.Get, "/api/locations/dorset/history")).Body!.AsArray()
            .Select(v => $"v{v!["version"]} {v["source"]} {v["locations"]} active={v["active"]}");
        Assert.That(sources, Is.EqualTo(new[]
        {
            "v6 rollback v4 1 active=true", "v5 rollback v3 5 active=false", "v4 import 1 active=false",
            "v3 rollback v1 5 active=false", "v2 import 4 active=false", "v1 import 5 active=false",
        }));

        // Scope and roles, as for marker lists: another force's list is 403 for a Dorset key; a control room has no access; a national analyst has.
        var answers = new Dictionary<string, HttpStatusCode>
        {
            ["bureau wiltshire history"] = (await Send(HttpMethod.Get, "/api/locations/wiltshire/history")).Status,
            ["bureau wiltshire rollback"] = (await Send(HttpMethod.Post, "/api/locations/wiltshire/rollback?toVersion=1&dryRun=true")).Status,
        };
        using (var cr = serve.CreateClient(controlRoom))
        {
            answers["control-room dorset history"] = (await Send(HttpMethod.Get, "/api/locations/dorset/history", client: cr)).Status;
        }

        using (var riu = serve.CreateClient(analyst))
        {
            answers["analyst dorset history"] = (await Send(HttpMethod.Get, "/api/locations/dorset/history", client: riu)).Status;
            answers["analyst dorset preview"] = (await Send(HttpMethod.Post, "/api/locations/dorset/rollback?toVersion=1&dryRun=true", client: riu)).Status;
        }

        Assert.That(answers, Is.EqualTo(new Dictionary<string, HttpStatusCode>
        {
            ["bureau wiltshire history"] = HttpStatusCode.Forbidden,
            ["bureau wiltshire rollback"] = HttpStatusCode.Forbidden,
            ["control-room dorset history"] = HttpStatusCode.Forbidden,
            ["analyst dorset history"] = HttpStatusCode.OK,
            ["analyst dorset preview"] = HttpStatusCode.OK,
        }));

        // The audit log: each consultation, each new version (with the restored file's hash) and each refusal of scope.
        var audit = await cli.ColumnAsync("SELECT actor || ' ' || action || ' ' || subject || COALESCE(' | ' || detail, '') FROM audit_log " +
            "WHERE action <> 'refused' AND subject LIKE 'location%' ORDER BY audit_id");
        Assert.That(audit, Is.EqualTo(new[]
        {
            $"r.smith collect location list dorset v1 | import: 5 locations, +5 -0 ~0, sha256 {v1Sha}",
            $"bureau-dorset collect location list dorset v2 | import: 4 locations, +0 -1 ~1, sha256 {v2Sha}",
            "bureau-dorset consult locations history dorset",
            "bureau-dorset consult locations rollback preview dorset to v1",
            "bureau-dorset consult locations list dorset",
            $"bureau-dorset collect location list dorset v3 | rollback v1: 5 locations, +1 -0 ~1, sha256 {v1Sha}",
            "bureau-dorset consult locations list dorset",
            $"bureau-dorset collect location list dorset v4 | import: 1 locations, +0 -4 ~0, sha256 {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(truncated)))}",
            $"bureau-dorset collect location list dorset v5 | rollback v3: 5 locations, +4 -0 ~0, sha256 {v1Sha}",
            $"bureau-dorset collect location list dorset v6 | rollback v4: 1 locations, +0 -4 ~0, sha256 {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(truncated)))}",
            "bureau-dorset consult locations history dorset",
            "riu-national consult locations history dorset",
            "riu-national consult locations rollback preview dorset to v1",
        }));
        var refusals = await cli.ColumnAsync("SELECT actor || ' ' || substr(subject, 1, instr(subject, ' from ') - 1) FROM audit_log WHERE action = 'refused' ORDER BY audit_id");
        Assert.That(refusals, Is.EqualTo(new[]
        {
            "bureau-dorset authorisation refused: the location list history for wiltshire is outside the key's scope (dorset): GET /api/locations/wiltshire/history",
            "bureau-dorset authorisation refused: rolling back the location list for wiltshire is outside the key's scope (dorset): POST /api/locations/wiltshire/rollback",
            "cr-dorset authorisation refused: the role may not do this: GET /api/locations/dorset/history",
        }));
    }
}
