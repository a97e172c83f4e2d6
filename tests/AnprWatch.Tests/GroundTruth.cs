using System.Text.Json.Nodes;

namespace AnprWatch.Tests;

/// <summary>Compares stored hits (hits list --format json) with the simulator's ground-truth.json.</summary>
public static class GroundTruth
{
    public static async Task<JsonArray> ExpectedAsync(string simDirectory)
        => JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(simDirectory, "ground-truth.json")))!.AsArray();

    public static async Task<JsonArray> StoredAsync(CliRunner cli)
    {
        var list = await cli.RunAsync("hits", "list", "--from", "2026-01-01", "--to", "2027-12-31", "--format", "json", "--justification", "test: compare with ground truth");
        Assert.That(list.ExitCode, Is.Zero, list.Err);
        return JsonNode.Parse(list.Out)!.AsArray();
    }

    /// <summary>Everything the rules decide about a hit, as one comparable string.</summary>
    public static List<string> Keys(JsonArray hits) => hits.Select(h => string.Join('|',
        h!["readId"], h["markerVrm"], h["suspectRef"], h["matchKind"], Code(h["cameraForce"]), Code(h["hostForce"]),
        h["inForce"], h["alerted"], h["notAlertedReason"], h["priority"], h["reviewOverdue"], h["locationRef"])).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The messages the alert sink must carry by the ground truth: each routed copy (one, or two when the camera and host
    /// forces differ) of every alerted hit, and again of every confirmed one (DESIGN §8: same alertId, confirmedAt set).
    /// </summary>
    public static int ExpectedAlertMessages(JsonArray truth) => truth.Sum(h =>
        (Code(h!["cameraForce"]) == Code(h["hostForce"]) ? 1 : 2)
        * ((h["alerted"]!.GetValue<bool>() ? 1 : 0) + (h["confirmingReadId"] is null ? 0 : 1)));

    /// <summary>A confirmation message (DESIGN §8) rather than the alert itself.</summary>
    public static bool IsConfirmation(JsonNode alert) => alert["confirmedAt"] is not null;

    private static string? Code(JsonNode? force) => force is JsonObject o ? o["code"]?.GetValue<string>() : force?.GetValue<string>();

    /// <summary>Simulates a Railcar scenario into the runner's <c>sim</c> folder and imports its marker lists.</summary>
    public static async Task<string> SimulateAsync(CliRunner cli, int seed, int vehicles)
    {
        var sim = cli.PathOf("sim");
        var result = await cli.RunAsync("simulate", "--scenario", "railcar", "--out", sim, "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--vehicles", vehicles.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(result.ExitCode, Is.Zero, result.Err);
        await ImportMarkersAsync(cli, sim);
        return sim;
    }

    /// <summary>Imports the simulated marker lists and flagged-location lists (both shape the ground truth).</summary>
    public static async Task ImportMarkersAsync(CliRunner cli, string simDirectory)
    {
        foreach (var csv in Directory.GetFiles(Path.Combine(simDirectory, "markers"), "*.csv"))
        {
            var import = await cli.RunAsync("markers", "import", csv, "--force", Path.GetFileNameWithoutExtension(csv), "--user", "test");
            Assert.That(import.ExitCode, Is.Zero, import.Err);
        }

        // The flagged locations are part of the scenario: its ground truth raises the hits read inside them.
        var locations = Path.Combine(simDirectory, "locations");
        foreach (var csv in Directory.Exists(locations) ? Directory.GetFiles(locations, "*.csv") : [])
        {
            var import = await cli.RunAsync("locations", "import", csv, "--force", Path.GetFileNameWithoutExtension(csv), "--user", "test");
            Assert.That(import.ExitCode, Is.Zero, import.Err);
        }
    }
}
