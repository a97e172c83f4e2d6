using System.Text.Json;
using System.Text.Json.Nodes;
using AnprWatch.Core.Hits;
using AnprWatch.Storage.Hits;

namespace AnprWatch.Board;

/// <summary>
/// What the board receives: the §4.4 hit (which carries every §4.3 alert field, and any §8 field such as
/// <c>confirmedAt</c> or <c>possibleClone</c> once the hit has it) plus <c>outcomes</c>, its full history.
/// </summary>
public static class BoardJson
{
    public static BoardEvent Alert(Hit hit, IReadOnlyList<Outcome> outcomes)
    {
        var node = JsonSerializer.SerializeToNode(HitView.From(hit), ContractJson.Options)!.AsObject();
        var history = new JsonArray();
        foreach (var outcome in outcomes)
        {
            history.Add(OutcomeNode(outcome));
        }

        node["outcomes"] = history;
        return new BoardEvent("alert", $"{hit.RecordedAt.ToUnixTimeMilliseconds()}:{hit.HitId}", node.ToJsonString(ContractJson.Options), hit.CameraForce.Code, hit.HostForce.Code);
    }

    /// <summary>An alert's confirmation (same hit, now with confirmedAt): no outcomes (the board keeps its own), no cursor.</summary>
    public static BoardEvent Confirmation(Hit hit)
    {
        var node = JsonSerializer.SerializeToNode(HitView.From(hit), ContractJson.Options)!.AsObject();
        node["outcomes"] = new JsonArray();
        return new BoardEvent("confirmation", null, node.ToJsonString(ContractJson.Options), hit.CameraForce.Code, hit.HostForce.Code);
    }

    public static BoardEvent Outcome(Outcome outcome)
        => new("outcome", null, OutcomeNode(outcome).ToJsonString(ContractJson.Options), outcome.CameraForce, outcome.HostForce);

    /// <summary>One outcome as the API returns it and the board shows it.</summary>
    public static JsonObject OutcomeNode(Outcome outcome) => new()
    {
        ["outcomeId"] = outcome.OutcomeId,
        ["hitId"] = outcome.HitId,
        ["status"] = outcome.Status,
        ["reason"] = outcome.Reason,
        ["note"] = outcome.Note,
        ["recordedBy"] = outcome.RecordedBy,
        ["recordedAt"] = outcome.RecordedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
    };
}
