namespace AnprWatch.Storage;

/// <summary>The <c>Storage:*</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string DefaultConnectionString = "Data Source=data/anprwatch.db";

    public string Provider { get; set; } = "sqlite";
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>
    /// <c>Storage:CreateIfMissing</c>: false (the default) means no command and no <c>serve</c> ever creates or upgrades
    /// a store; a missing store or an old schema is an error that says to run <c>anprwatch db migrate</c>. True (demos
    /// and throw-away stores only) lets them create the store and apply its migrations first.
    /// </summary>
    public bool CreateIfMissing { get; set; }
}
