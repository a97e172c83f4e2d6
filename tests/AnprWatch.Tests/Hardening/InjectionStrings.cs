namespace AnprWatch.Tests.Hardening;

/// <summary>Classic SQL injection payloads (string, numeric, comment, stacked, union and LIKE forms) plus oddities.</summary>
public static class InjectionStrings
{
    public static readonly string[] All =
    [
        "' OR '1'='1",
        "'; DROP TABLE hits; --",
        "\" OR 1=1 --",
        "1; DELETE FROM markers",
        "%' OR 1=1 --",
        "') UNION SELECT key_hash, key_hash FROM api_keys --",
        "Robert'); DROP TABLE audit_log;--",
        "1 OR 1=1",
        "@/etc/passwd",
    ];

    /// <summary>Text that would only appear if the store's own error reached the user.</summary>
    public static readonly string[] StoreErrorMarkers = ["SQLite Error", "syntax error", "unrecognized token", "near \"", "Incorrect syntax"];
}
