using AnprWatch.Core.Markers;

namespace AnprWatch.Core.Hits;

/// <summary>The <c>Alerting:*</c> configuration section (DESIGN §3).</summary>
public sealed class AlertingOptions
{
    public IReadOnlyList<RiskLevel> RiskLevels { get; set; } = [RiskLevel.High, RiskLevel.Medium];
    public bool IncludeInForce { get; set; }
    public TimeSpan RepeatWindow { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan MaxReadAge { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>The <c>Matching:*</c> configuration section (DESIGN §3).</summary>
public sealed class MatchingOptions
{
    public int MaxOcrSubstitutions { get; set; } = 1;
    public IReadOnlyList<string> OcrClasses { get; set; } = Plates.OcrEquivalence.DefaultClasses;

    /// <summary><c>Matching:CloneSpeedKmh</c>, <c>:CloneMinDistanceKm</c>, <c>:CloneMinInterval</c>, <c>:CloneWindow</c>, <c>:CloneSightings</c>.</summary>
    public Clones.CloneOptions Clones { get; set; } = Hits.Clones.CloneOptions.Default;
}
