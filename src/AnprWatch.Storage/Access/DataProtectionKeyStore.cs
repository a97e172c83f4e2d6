using Dapper;

namespace AnprWatch.Storage.Access;

/// <summary>
/// The ASP.NET Core Data Protection key ring, kept in the store: every replica reads the same keys and they survive
/// restarts, so a session cookie or antiforgery token issued by one instance is accepted by the others. The XML is
/// what Data Protection writes (keys are encrypted at rest only if an XML encryptor is configured).
/// </summary>
public sealed class DataProtectionKeyStore(Database database, TimeProvider clock)
{
    public IReadOnlyList<string> All()
    {
        using var connection = database.OpenAsync().GetAwaiter().GetResult();
        return connection.Query<string>($"SELECT xml FROM {database.Table("data_protection_keys")} ORDER BY key_id").ToList();
    }

    public void Add(string friendlyName, string xml)
    {
        using var connection = database.OpenAsync().GetAwaiter().GetResult();
        connection.Execute($"INSERT INTO {database.Table("data_protection_keys")} (friendly_name, xml, created_at_ms) VALUES (@friendlyName, @xml, @at)",
            new { friendlyName, xml, at = clock.GetUtcNow().ToUnixTimeMilliseconds() });
    }
}
