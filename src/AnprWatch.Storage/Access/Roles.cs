namespace AnprWatch.Storage.Access;

/// <summary>DESIGN §4.7 roles: bureau → markers; control-room → alerts, outcomes; analyst → hits, reports; admin → keys and all.</summary>
public static class Roles
{
    public const string Bureau = "bureau";
    public const string ControlRoom = "control-room";
    public const string Analyst = "analyst";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Bureau, ControlRoom, Analyst, Admin];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role);
}
