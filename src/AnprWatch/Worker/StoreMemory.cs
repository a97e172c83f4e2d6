using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnprWatch.Worker;

/// <summary>
/// What serve remembers of its store between runs, in a small JSON file kept outside the store
/// (<c>Storage:StateFile</c>; for a SQLite file, by default beside it as <c>&lt;database&gt;.serve-state.json</c>): the
/// store's id and the newest hit serve stored in it. <see cref="StoreGuard"/> compares the store with it at start, so a
/// store replaced or put back from an earlier copy while serve was down is refused (exit 2), not adopted: memory alone
/// forgets both at every restart, systemd's restart after a crash included. Deleting the file accepts the store as it is.
/// </summary>
public sealed class StoreMemory(string? path)
{
    /// <summary>The store's id and, once serve has stored one, its newest hit (with when it was read, for retention).</summary>
    public sealed record State(string StoreId, string? LastHitId, DateTimeOffset? LastHitObservedAt);

    private readonly Lock _writing = new();

    public string? Path => path;

    /// <summary>The remembered state, or null when there is none (first start, or no state file configured).</summary>
    public State? Read()
    {
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("it is not a JSON object"); // "null" too, not a crash
            var storeId = node["storeId"]?.GetValue<string>() ?? throw new JsonException("it has no storeId");
            var observed = node["lastHitObservedAt"]?.GetValue<string>();
            return new State(storeId, node["lastHitId"]?.GetValue<string>(), observed is null ? null : DateTimeOffset.Parse(observed, System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or IOException or UnauthorizedAccessException)
        {
            throw new StoreMismatchException(
                $"serve's memory of its store, {path}, cannot be read ({ex.Message}): it cannot tell whether the store was replaced while it was down. " +
                "Check the store, then delete that file to let serve accept the store it finds.");
        }
    }

    /// <summary>
    /// Replaces the file whole (a temporary file renamed over it), so a crash leaves the old state or the new, never
    /// half of one. The temporary file is flushed to disk before the rename: unflushed, a power cut can leave the
    /// renamed file empty (the rename reaches the disk before the data), and an unreadable state file stops serve at
    /// the next start (exit 2) on a healthy store. Its name is this process's own, so two serve processes sharing a
    /// state file (two instances beside one SQLite file) never write into, or rename away, each other's half-written one.
    /// </summary>
    public void Write(State state)
    {
        if (path is null)
        {
            return;
        }

        var json = new JsonObject
        {
            ["storeId"] = state.StoreId,
            ["lastHitId"] = state.LastHitId,
            ["lastHitObservedAt"] = state.LastHitObservedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        lock (_writing)
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
    }
}
