namespace AnprWatch.Core.Forces;

/// <summary>A police force area: a data.police.uk force id plus the national forces.</summary>
public sealed record Force(int Index, string Code, string Name, string Region)
{
    public override string ToString() => Code;
}
