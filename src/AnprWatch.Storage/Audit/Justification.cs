namespace AnprWatch.Storage.Audit;

/// <summary>
/// The reason recorded with a look-up beyond the open tier (DPA 2018 s.62): a real reason, not a token. Every path that
/// takes one (CLI and API) applies this rule, whether or not the period needs it, so the audit never holds "x".
/// </summary>
public static class Justification
{
    public const int MinLength = 10;

    public const string Requirement =
        "a justification must give the reason for the look-up in at least 10 characters (e.g. \"Op Railcar: SAR 2026/114\"); it is recorded in the audit log";

    /// <summary>No justification given (absent or blank): the caller decides whether one is needed.</summary>
    public static bool IsAbsent(string? text) => string.IsNullOrWhiteSpace(text);

    /// <summary>A given justification long enough to be a reason.</summary>
    public static bool IsSufficient(string? text) => text is not null && text.Trim().Length >= MinLength;
}
