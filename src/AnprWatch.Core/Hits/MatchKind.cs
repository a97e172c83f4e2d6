namespace AnprWatch.Core.Hits;

public enum MatchKind
{
    Exact,
    OcrEquivalent,
}

public enum Priority
{
    Routine,
    High,
    Urgent,
}

public enum NotAlertedReason
{
    None,
    Suppressed,
    Stale,
}

public static class HitLabels
{
    public static string Label(this MatchKind kind) => kind == MatchKind.Exact ? "exact" : "ocr-equivalent";

    public static string Label(this Priority priority) => priority switch
    {
        Priority.Urgent => "urgent",
        Priority.High => "high",
        _ => "routine",
    };

    public static string? Label(this NotAlertedReason reason) => reason switch
    {
        NotAlertedReason.Suppressed => "suppressed",
        NotAlertedReason.Stale => "stale",
        _ => null,
    };

    public static MatchKind ParseMatchKind(string text) => text == "exact" ? MatchKind.Exact : MatchKind.OcrEquivalent;

    public static Priority ParsePriority(string text) => text switch
    {
        "urgent" => Priority.Urgent,
        "high" => Priority.High,
        _ => Priority.Routine,
    };

    public static NotAlertedReason ParseReason(string? text) => text switch
    {
        "suppressed" => NotAlertedReason.Suppressed,
        "stale" => NotAlertedReason.Stale,
        _ => NotAlertedReason.None,
    };
}
