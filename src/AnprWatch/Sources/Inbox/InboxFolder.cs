using System.Security.Cryptography;
using System.Text.Json;

namespace AnprWatch.Sources.Inbox;

/// <summary>
/// The folder source's files (the embedded default). A <c>*.jsonl</c> dropped into the inbox is claimed by renaming
/// it into <c>.claimed/</c> under a stem no earlier file has used, so a second file of the same name never touches the
/// first one's outputs. Its outputs, <c>done/&lt;stem&gt;.alerts.jsonl</c> and <c>done/&lt;stem&gt;.dlq.jsonl</c>, are
/// appended to; a claimed file still there at start-up was interrupted and is processed again, de-duplicating its
/// outputs. Once they are durable, <c>done/&lt;stem&gt;.receipt.json</c> records the counts and the input's SHA-256, and
/// the input (every miss in it, with time and place) is deleted, or kept in <c>done/inputs/</c> for
/// <c>Source:KeepProcessedFor</c> and then purged.
/// </summary>
public sealed class InboxFolder
{
    public InboxFolder(string inbox)
    {
        Inbox = Path.GetFullPath(inbox);
        Claimed = Path.Combine(Inbox, ".claimed");
        Done = Path.Combine(Inbox, "done");
        KeptInputs = Path.Combine(Done, "inputs");
        Directory.CreateDirectory(Claimed);
        Directory.CreateDirectory(Done);
    }

    private readonly Dictionary<string, int> _nextSuffix = new(StringComparer.Ordinal);

    public string Inbox { get; }
    public string Claimed { get; }
    public string Done { get; }
    public string KeptInputs { get; }

    /// <summary>Where an input that cannot be opened (unreadable, a dangling link) is set aside for an operator.</summary>
    public string Failed => Path.Combine(Inbox, "failed");

    /// <summary>
    /// One serve per inbox: two would claim and resume the same files at once. The lock is an OS file lock, released if
    /// the process dies; a second instance waits for it (a rolling update's new pod takes over when the old one exits).
    /// </summary>
    public FileStream? TryLock()
    {
        try
        {
            return new FileStream(Path.Combine(Inbox, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Moves a claimed input that cannot be read to <c>failed/</c>, with the reason beside it.</summary>
    public void SetAside(ClaimedFile file, string reason)
    {
        Directory.CreateDirectory(Failed);
        File.Move(file.Input, Path.Combine(Failed, file.Stem + ".jsonl"), overwrite: true);
        File.WriteAllText(Path.Combine(Failed, file.Stem + ".error.txt"), reason + Environment.NewLine);
    }

    /// <summary>Files interrupted by a crash, first, in the order they were claimed.</summary>
    public IReadOnlyList<ClaimedFile> Interrupted()
        => Directory.EnumerateFiles(Claimed, "*.jsonl").Order(StringComparer.Ordinal).Select(ClaimedFile.At(this)).ToList();

    /// <summary>Dropped files ready to claim; one written in the last second is left for the next look (drop by rename).</summary>
    public IReadOnlyList<string> Dropped(DateTimeOffset now)
        => Directory.EnumerateFiles(Inbox, "*.jsonl").Order(StringComparer.Ordinal)
            .Where(f => new FileInfo(f).LinkTarget is not null || IsSettled(now, File.GetLastWriteTimeUtc(f))).ToList();

    /// <summary>
    /// Written more than a second ago, or stamped in the future (copied with its times from a machine whose clock runs
    /// ahead: `cp -p`, `rsync -a`). A future time cannot be a write in progress here, and waiting for it delays alerts.
    /// </summary>
    private static bool IsSettled(DateTimeOffset now, DateTime modifiedUtc)
        => now - modifiedUtc >= TimeSpan.FromSeconds(1) || modifiedUtc - now > TimeSpan.FromSeconds(5);

    /// <summary>Moves a dropped file into <c>.claimed/</c> under a stem free in both folders; the rename is atomic.</summary>
    public ClaimedFile Claim(string dropped)
    {
        var name = Path.GetFileNameWithoutExtension(dropped);
        var stem = name;

        // A feed that always uploads reads.jsonl would otherwise probe reads~2, reads~3… from the start on every claim
        // (five stats each): the n-th claim cost O(n). The next free suffix is remembered per name while serve runs.
        var n = _nextSuffix.GetValueOrDefault(name, 2);
        if (StemTaken(stem))
        {
            for (stem = $"{name}~{n}"; StemTaken(stem); stem = $"{name}~{n}")
            {
                n++;
            }

            _nextSuffix[name] = n + 1;
        }

        var target = Path.Combine(Claimed, stem + ".jsonl");
        File.Move(dropped, target);
        return ClaimedFile.At(this)(target);
    }

    private bool StemTaken(string stem)
    {
        var probe = new ClaimedFile(this, Path.Combine(Claimed, stem + ".jsonl"), stem);
        return File.Exists(probe.Input) || File.Exists(probe.Alerts) || File.Exists(probe.DeadLetters) || File.Exists(probe.Receipt)
               || File.Exists(Path.Combine(KeptInputs, stem + ".jsonl"));
    }

    /// <summary>
    /// Deletes outputs older than <paramref name="keepFor"/> (the hit retention): <c>done/</c>'s alert lines carry
    /// plates, suspect references and places, its dead letters raw reads (misses included), and <c>failed/</c> holds
    /// whole inputs. Left alone, the folder source kept for ever what the store purges after Retention:HitDays.
    /// </summary>
    public int PurgeOutputs(DateTimeOffset now, TimeSpan keepFor)
    {
        var purged = 0;
        foreach (var folder in new[] { Done, Failed })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder))
            {
                if (now - File.GetLastWriteTimeUtc(file) > keepFor)
                {
                    File.Delete(file);
                    purged++;
                }
            }
        }

        return purged;
    }

    /// <summary>Deletes inputs kept longer than <paramref name="keepFor"/> (all of them when it is zero); returns how many.</summary>
    public int PurgeKeptInputs(DateTimeOffset now, TimeSpan keepFor)
    {
        if (!Directory.Exists(KeptInputs))
        {
            return 0;
        }

        var purged = 0;
        foreach (var file in Directory.EnumerateFiles(KeptInputs, "*.jsonl"))
        {
            if (now - File.GetLastWriteTimeUtc(file) > keepFor)
            {
                File.Delete(file);
                purged++;
            }
        }

        return purged;
    }
}

/// <summary>One claimed input and where its outputs go.</summary>
public sealed record ClaimedFile(InboxFolder Folder, string Input, string Stem)
{
    public static Func<string, ClaimedFile> At(InboxFolder folder) => path => new ClaimedFile(folder, path, Path.GetFileNameWithoutExtension(path));

    public string Alerts => Path.Combine(Folder.Done, Stem + ".alerts.jsonl");
    public string DeadLetters => Path.Combine(Folder.Done, Stem + ".dlq.jsonl");
    public string Receipt => Path.Combine(Folder.Done, Stem + ".receipt.json");

    /// <summary>Writes the receipt (atomically, by rename), then deletes the input or keeps it for a while.</summary>
    public async Task FinishAsync(FileReceipt receipt, TimeSpan keepFor, CancellationToken cancellationToken)
    {
        var temporary = Receipt + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            await JsonSerializer.SerializeAsync(file, receipt, FileReceipt.Json, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, Receipt, overwrite: true);
        if (keepFor > TimeSpan.Zero)
        {
            Directory.CreateDirectory(Folder.KeptInputs);
            File.Move(Input, Path.Combine(Folder.KeptInputs, Stem + ".jsonl"), overwrite: true);
            File.SetLastWriteTimeUtc(Path.Combine(Folder.KeptInputs, Stem + ".jsonl"), receipt.ProcessedAt.UtcDateTime); // the purge counts from here
        }
        else
        {
            File.Delete(Input);
        }
    }

    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }
}

/// <summary>What processing one input produced: counts, never a plate.</summary>
public sealed record FileReceipt(string Stem, string Sha256, long Reads, long Hits, long Alerts, long DeadLetters, DateTimeOffset ProcessedAt)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
