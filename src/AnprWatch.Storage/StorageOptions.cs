namespace AnprWatch.Storage;

/// <summary>The <c>Storage:*</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string DefaultConnectionString = "Data Source=data/anprwatch.db";

    public string Provider { get; set; } = "sqlite";
    public string ConnectionString { get; set; } = DefaultConnectionString;
}
