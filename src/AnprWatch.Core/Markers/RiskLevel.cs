namespace AnprWatch.Core.Markers;

public enum RiskLevel
{
    Low,
    Medium,
    High,
}

public static class RiskLevels
{
    public static string Label(this RiskLevel risk) => risk switch
    {
        RiskLevel.High => "HIGH",
        RiskLevel.Medium => "MEDIUM",
        _ => "LOW",
    };

    public static bool TryParse(ReadOnlySpan<char> text, out RiskLevel risk)
    {
        var t = text.Trim();
        if (t.Equals("HIGH", StringComparison.OrdinalIgnoreCase))
        {
            risk = RiskLevel.High;
            return true;
        }

        if (t.Equals("MEDIUM", StringComparison.OrdinalIgnoreCase))
        {
            risk = RiskLevel.Medium;
            return true;
        }

        if (t.Equals("LOW", StringComparison.OrdinalIgnoreCase))
        {
            risk = RiskLevel.Low;
            return true;
        }

        risk = RiskLevel.Low;
        return false;
    }

    public static RiskLevel Parse(string text)
        => TryParse(text, out var risk) ? risk : throw new FormatException($"unknown risk level '{text}' (expected HIGH, MEDIUM or LOW)");
}
