using AnprWatch.Core.Hits;
using AnprWatch.Storage;
using Microsoft.AspNetCore.Http;

namespace AnprWatch.Web.Api;

/// <summary>
/// The history answer of a versioned list (markers and locations alike): newest first, who loaded each version,
/// when, from what (an import or a rollback), its file's SHA-256, its size under <c>countKey</c> and its diff counts.
/// </summary>
public static class ListHistory
{
    public static IResult Json(IEnumerable<IListVersion> versions, string countKey) =>
        Results.Json(versions.OrderByDescending(v => v.Version).Select(v => new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["version"] = v.Version,
            ["active"] = v.IsActive,
            ["loadedAt"] = v.LoadedAt,
            ["loadedBy"] = v.LoadedBy,
            ["source"] = v.Source,
            ["sha256"] = v.Sha256,
            [countKey] = v.Items,
            ["added"] = v.Added,
            ["removed"] = v.Removed,
            ["changed"] = v.Changed,
        }), ContractJson.Options);
}
