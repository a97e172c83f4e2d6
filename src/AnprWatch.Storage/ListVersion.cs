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
