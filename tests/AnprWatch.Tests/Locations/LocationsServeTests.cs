using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace AnprWatch.Tests.Locations;

/// <summary>
/// A running serve (folder source): locations uploaded over the API by an analyst are picked up without a restart,
/// and the next hit read inside one is raised; the API refuses roles outside bureau, analyst and admin.
/// </summary>
[NonParallelizable]
public class LocationsServeTests
{
    private const string Locations = "location_ref,name,lat,lon,radius_m,risk_level,force,review_due\nLOC-W,Lay-by,51.0,-2.0,1000,HIGH,wiltshire,2099-01-01\n";

    private static HttpRequestMessage Request(HttpMethod method, string url, string key, string? csv = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        if (csv is not null)
        {
            request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        }

        return request;
    }

    private static string Read(string id, string at) =>
        $$"""{"readId":"{{id}}","vrm":"AB12CDE","cameraId":"W1","forceCode":"wiltshire","observedAt":"{{at}}","lat":51.00899,"lon":-2.0}""";

    private static async Task DropAndWaitAsync(CliRunner cli, Kafka.ServeProcess serve, string inbox, string name, string line)
    {
        var staging = cli.PathOf(name + ".staging");
        await File.WriteAllLinesAsync(staging, [line]);
        File.Move(staging, Path.Combine(inbox, name + ".jsonl"));
        var receipt = Path.Combine(inbox, "done", name + ".receipt.json");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(receipt))
        {
            Assert.That(clock.Elapsed < TimeSpan.FromSeconds(60) && !serve.HasExited, Is.True, "not processed\n" + serve.Output);
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task An_uploaded_location_list_raises_the_next_hit_without_a_restart()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", "vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-1,HIGH,avon-and-somerset,2099-01-01\n");
        var keys = new Dictionary<string, string>();
        foreach (var role in new[] { "bureau", "analyst", "control-room" })
        {
            keys[role] = (await cli.RunAsync("keys", "create", "--role", role, "--name", "loc-" + role)).Out.Trim();
        }

        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Source:ReloadInterval=00:00:00.200");
        await serve.WaitReadyAsync();
        using var http = serve.CreateClient();

        // Before any location: a daytime HIGH hit is "high".
        await DropAndWaitAsync(cli, serve, inbox, "before", Read("before", "2026-06-01T12:00:00+01:00"));

        // Roles: control rooms neither load nor read locations; a file with an error is refused by line.
        Assert.That((await http.SendAsync(Request(HttpMethod.Post, "/api/locations/wiltshire", keys["control-room"], Locations))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await http.SendAsync(Request(HttpMethod.Get, "/api/locations/wiltshire", keys["control-room"]))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var bad = await http.SendAsync(Request(HttpMethod.Post, "/api/locations/wiltshire", keys["analyst"], Locations.Replace("1000,", "0,", StringComparison.Ordinal)));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["errors"]!.AsArray();
        Assert.That(errors.Select(e => $"{e!["line"]}: {e["message"]}"), Is.EqualTo(new[] { "2: radius_m '0' is not a whole number of metres from 1 to 5000" }));

        var dry = JsonNode.Parse(await (await http.SendAsync(Request(HttpMethod.Post, "/api/locations/wiltshire?dryRun=true", keys["analyst"], Locations))).Content.ReadAsStringAsync())!;
        Assert.That((dry["dryRun"]!.GetValue<bool>(), dry["diff"]!["added"]!.AsArray().Count), Is.EqualTo((true, 1)));
        var loaded = await http.SendAsync(Request(HttpMethod.Post, "/api/locations/wiltshire", keys["analyst"], Locations));
        Assert.That(loaded.StatusCode, Is.EqualTo(HttpStatusCode.OK), await loaded.Content.ReadAsStringAsync());
        Assert.That(JsonNode.Parse(await loaded.Content.ReadAsStringAsync())!["version"]!.GetValue<long>(), Is.EqualTo(1));
        var listed = JsonNode.Parse(await (await http.SendAsync(Request(HttpMethod.Get, "/api/locations/wiltshire", keys["bureau"]))).Content.ReadAsStringAsync())!.AsArray();
        Assert.That(listed.Select(l => $"{l!["locationRef"]} {l["radiusM"]} {l["status"]}"), Is.EqualTo(new[] { "LOC-W 1000 active" }));

        // serve swaps in the new location index by itself (it logs the generation), and the next read is raised.
        var clock = Stopwatch.StartNew();
        while (!serve.Output.Contains("raising locations", StringComparison.Ordinal) || !serve.Output.Contains("generation 1 is live with 1 raising", StringComparison.Ordinal))
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "serve did not pick up the location list\n" + serve.Output);
            await Task.Delay(100);
        }

        await DropAndWaitAsync(cli, serve, inbox, "after", Read("after", "2026-06-01T14:00:00+01:00"));
        var hits = await GroundTruth.StoredAsync(cli);
        Assert.That(hits.Select(h => $"{h!["readId"]} {h["priority"]} {h["locationRef"]}").Order(StringComparer.Ordinal), Is.EqualTo(new[] { "after urgent LOC-W", "before high " }));
        var alert = JsonNode.Parse((await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "after.alerts.jsonl")))[0])!;
        Assert.That((alert["priority"]!.GetValue<string>(), alert["locationRef"]!.GetValue<string>()), Is.EqualTo(("urgent", "LOC-W")));
    }
}
