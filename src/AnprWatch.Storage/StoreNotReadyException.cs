namespace AnprWatch.Storage;

/// <summary>
/// The configured store is missing, holds no AnprWatch schema, or has a schema older than this build needs. A
/// configuration error the operator fixes (a path, a connection string, <c>anprwatch db migrate</c>): exit code 2.
/// </summary>
public sealed class StoreNotReadyException(string message) : Exception(message);
