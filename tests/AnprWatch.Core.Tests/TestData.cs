using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;

namespace AnprWatch.Core.Tests;

internal static class TestData
{
    public static Force Avon => ForceRegistry.Get("avon-and-somerset");
    public static Force Wiltshire => ForceRegistry.Get("wiltshire");
    public static Force Dorset => ForceRegistry.Get("dorset");

    public static Marker Marker(string vrm = "AB12CDE", string suspect = "SR-1", RiskLevel risk = RiskLevel.High, Force? host = null, DateOnly? reviewDue = null, DateOnly? expires = null)
        => new(vrm, suspect, risk, host ?? Avon, reviewDue ?? new DateOnly(2027, 1, 1), expires, null, null, null, "ACT");

    public static string Csv(params string[] lines) => string.Join("\n", lines) + "\n";

    public const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type";
}
