namespace AnprWatch.Storage;

/// <summary>
/// One version of a force's versioned list (marker list or flagged-location list), as the history shows it: the API's
/// history answers and the web page's history table are written once against this, for both kinds of list.
/// </summary>
public interface IListVersion
{
    long Version { get; }

    bool IsActive { get; }

    DateTimeOffset LoadedAt { get; }

    string LoadedBy { get; }

    string Source { get; }

    string Sha256 { get; }

    /// <summary>Markers or locations in the version.</summary>
    long Items { get; }

    long Added { get; }

    long Removed { get; }

    long Changed { get; }
}

/// <summary>
/// A replacement (import, review, rollback) of a force's marker or location list checked against a version that is no
/// longer active: another user changed the list meanwhile, and nothing was changed. The API answers 409, the CLI 1.
/// </summary>
public class ListChangedException(string message) : Exception(message);
