using AnprWatch.Core.Forces;

namespace AnprWatch.Storage.Access;

/// <summary>
/// The forces a key may act for (issue 14). No forces: national. A region given at creation is resolved there and then
/// to its forces from the force table, and its name kept for display. Fixed for the key's life: sessions inherit it.
/// </summary>
public sealed class KeyScope
{
    public static KeyScope National { get; } = new([], null);

    private readonly HashSet<string> _forces;

    private KeyScope(IReadOnlyList<string> forces, string? region)
    {
        Forces = forces;
        Region = region;
        _forces = new HashSet<string>(forces, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The force codes in scope, in force-table order; empty when national.</summary>
    public IReadOnlyList<string> Forces { get; }

    /// <summary>The region the key was created for, if any (its forces are in <see cref="Forces"/>).</summary>
    public string? Region { get; }

    public bool IsNational => Forces.Count == 0;

    /// <summary>Whether the key may act for <paramref name="forceCode"/>.</summary>
    public bool Covers(string forceCode) => IsNational || _forces.Contains(forceCode);

    /// <summary>Whether an alert or hit is routed to this scope: its camera force or its host force (DESIGN §4.3).</summary>
    public bool Routes(string cameraForce, string hostForce) => Covers(cameraForce) || Covers(hostForce);

    /// <summary>The forces in scope, or null for national (no filter), as the stores take them.</summary>
    public IReadOnlyCollection<string>? Filter => IsNational ? null : Forces;

    /// <summary>What <c>keys list</c> and the pages show: <c>national</c>, <c>region South West</c>, or the codes (<c>kent + dorset</c>; no commas, so CSV cells stay plain).</summary>
    public string Label => IsNational ? "national"
        : Region is not null && Forces.Count == ForceRegistry.InRegion(Region).Count() ? $"region {Region}"
        : Region is not null ? $"region {Region} + {string.Join(" + ", Forces.Where(f => !ForceRegistry.InRegion(Region).Any(r => r.Code == f)))}"
        : string.Join(" + ", Forces);

    /// <summary>
    /// The scope for <c>keys create --force … --region …</c>: the union of the forces named and the region's forces.
    /// An unknown force code or region is an <see cref="ArgumentException"/> naming it.
    /// </summary>
    public static KeyScope Resolve(IEnumerable<string>? forceCodes, string? region)
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var code in forceCodes ?? [])
        {
            if (!ForceRegistry.TryGet(code, out var force))
            {
                throw new ArgumentException($"--force '{code}' is not a known force code", nameof(forceCodes));
            }

            codes.Add(force.Code);
        }

        string? regionName = null;
        if (region is not null)
        {
            if (!ForceRegistry.TryGetRegion(region, out regionName))
            {
                throw new ArgumentException($"--region '{region}' is not one of: {string.Join(", ", ForceRegistry.Regions)}", nameof(region));
            }

            codes.UnionWith(ForceRegistry.InRegion(regionName).Select(f => f.Code));
        }

        return codes.Count == 0 ? National : new KeyScope(ForceRegistry.All.Where(f => codes.Contains(f.Code)).Select(f => f.Code).ToList(), regionName);
    }

    /// <summary>The stored (and claim) form: comma-separated force codes, null when national.</summary>
    public string? Stored => IsNational ? null : string.Join(",", Forces);

    /// <summary>Reads <see cref="Stored"/> back. Codes no longer in the force table are dropped, never widened to national.</summary>
    public static KeyScope FromStored(string? forces, string? region)
    {
        if (string.IsNullOrWhiteSpace(forces))
        {
            return National;
        }

        var known = forces.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => ForceRegistry.TryGet(c, out var f) ? f.Code : null).OfType<string>().ToList();

        // A scoped key whose forces have all gone from the table keeps an empty, impossible scope rather than becoming national.
        return new KeyScope(known.Count == 0 ? [NoForce] : known, region);
    }

    /// <summary>Stands in for "no force at all": matches no real force code.</summary>
    private const string NoForce = "-";
}
