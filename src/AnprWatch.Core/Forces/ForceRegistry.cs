using System.Collections.Frozen;

namespace AnprWatch.Core.Forces;

/// <summary>
/// Reference data for every force (DESIGN §3). Lookups are case-insensitive and, through the span lookup,
/// allocate nothing, because the read decoder resolves a force for every read.
/// </summary>
public static class ForceRegistry
{
    public const int MaxCodeLength = 32;

    private static readonly (string Region, (string Code, string Name)[] Forces)[] Table =
    [
        ("North East", [("cleveland", "Cleveland Police"), ("durham", "Durham Constabulary"), ("northumbria", "Northumbria Police")]),
        ("North West", [("cheshire", "Cheshire Constabulary"), ("cumbria", "Cumbria Constabulary"), ("greater-manchester", "Greater Manchester Police"), ("lancashire", "Lancashire Constabulary"), ("merseyside", "Merseyside Police")]),
        ("Yorkshire and the Humber", [("humberside", "Humberside Police"), ("north-yorkshire", "North Yorkshire Police"), ("south-yorkshire", "South Yorkshire Police"), ("west-yorkshire", "West Yorkshire Police")]),
        ("East Midlands", [("derbyshire", "Derbyshire Constabulary"), ("leicestershire", "Leicestershire Police"), ("lincolnshire", "Lincolnshire Police"), ("northamptonshire", "Northamptonshire Police"), ("nottinghamshire", "Nottinghamshire Police")]),
        ("West Midlands", [("staffordshire", "Staffordshire Police"), ("warwickshire", "Warwickshire Police"), ("west-mercia", "West Mercia Police"), ("west-midlands", "West Midlands Police")]),
        ("Eastern", [("bedfordshire", "Bedfordshire Police"), ("cambridgeshire", "Cambridgeshire Constabulary"), ("essex", "Essex Police"), ("hertfordshire", "Hertfordshire Constabulary"), ("norfolk", "Norfolk Constabulary"), ("suffolk", "Suffolk Constabulary")]),
        ("South East", [("hampshire", "Hampshire Constabulary"), ("kent", "Kent Police"), ("surrey", "Surrey Police"), ("sussex", "Sussex Police"), ("thames-valley", "Thames Valley Police")]),
        ("South West", [("avon-and-somerset", "Avon and Somerset Constabulary"), ("devon-and-cornwall", "Devon & Cornwall Police"), ("dorset", "Dorset Police"), ("gloucestershire", "Gloucestershire Constabulary"), ("wiltshire", "Wiltshire Police")]),
        ("Wales", [("dyfed-powys", "Dyfed-Powys Police"), ("gwent", "Gwent Police"), ("north-wales", "North Wales Police"), ("south-wales", "South Wales Police")]),
        ("London", [("city-of-london", "City of London Police"), ("metropolitan", "Metropolitan Police Service")]),
        ("National", [("british-transport-police", "British Transport Police"), ("northern-ireland", "Police Service of Northern Ireland"), ("police-scotland", "Police Scotland")]),
    ];

    public static IReadOnlyList<Force> All { get; }
    public static IReadOnlyList<string> Regions { get; } = Table.Select(r => r.Region).ToArray();

    private static readonly FrozenDictionary<string, Force> ByCode;
    private static readonly FrozenDictionary<string, Force>.AlternateLookup<ReadOnlySpan<char>> ByCodeSpan;

    static ForceRegistry()
    {
        var all = new List<Force>();
        foreach (var (region, forces) in Table)
        {
            foreach (var (code, name) in forces)
            {
                all.Add(new Force(all.Count, code, name, region));
            }
        }

        All = all;
        ByCode = all.ToFrozenDictionary(f => f.Code, StringComparer.OrdinalIgnoreCase);
        ByCodeSpan = ByCode.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static bool TryGet(ReadOnlySpan<char> code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Force? force)
        => ByCodeSpan.TryGetValue(code.Trim(), out force);

    public static bool TryGet(string? code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Force? force)
    {
        force = null;
        return code is not null && TryGet(code.AsSpan(), out force);
    }

    public static Force Get(string code)
        => TryGet(code, out var force) ? force : throw new ArgumentException($"unknown force code '{code}'", nameof(code));

    public static bool TryGetRegion(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? region)
    {
        region = Regions.FirstOrDefault(r => string.Equals(r, name?.Trim(), StringComparison.OrdinalIgnoreCase));
        return region is not null;
    }

    public static IEnumerable<Force> InRegion(string region)
        => All.Where(f => string.Equals(f.Region, region, StringComparison.OrdinalIgnoreCase));
}
