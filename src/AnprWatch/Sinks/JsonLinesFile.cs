using System.Security.Cryptography;

namespace AnprWatch.Sinks;

/// <summary>
/// An output file of JSON lines, created on first write and flushed to disk after each batch. A run that writes
/// nothing still leaves an empty file, so no one reads an earlier run's output as this one's.
/// In <see cref="OutputMode.Resume"/> (the folder source after a crash) the file is appended to, never truncated: a
/// torn last line is cut off and a line already present is not written again, so re-processing an input after a
/// SIGKILL at any point leaves exactly the lines of one clean run.
/// </summary>
public sealed class JsonLinesFile(string path, OutputMode mode = OutputMode.Replace) : IAsyncDisposable
{
    private FileStream? _file;
    private HashSet<UInt128>? _existing;

    public string Path => path;

    public long Lines { get; private set; }

    public async Task AppendAsync(IEnumerable<byte[]> lines, CancellationToken cancellationToken)
    {
        _file ??= await OpenAsync(cancellationToken).ConfigureAwait(false);

        // The batch is written in one piece, unbuffered, and cut back if any of it fails (a full disk): a retry never
        // appends on top of a torn line, and no line is written twice.
        using var batch = new MemoryStream();
        var count = 0;
        foreach (var line in lines)
        {
            if (_existing is not null && _existing.Contains(Fingerprint(line)))
            {
                continue;
            }

            batch.Write(line);
            batch.WriteByte((byte)'\n');
            count++;
        }

        var before = _file.Length;
        try
        {
            _file.Position = before;
            await _file.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length), cancellationToken).ConfigureAwait(false);
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (mode == OutputMode.Resume)
            {
                // The folder source deletes its input once outputs are durable: they must survive a power cut, not only a kill.
                _file.Flush(flushToDisk: true);
            }
        }
        catch
        {
            try
            {
                _file.SetLength(before);
            }
            catch (IOException)
            {
                // The file cannot even be cut: the resume logic drops a torn last line when the file is next opened.
            }

            throw;
        }

        Lines += count;
    }

    private async Task<FileStream> OpenAsync(CancellationToken cancellationToken)
    {
        if (mode == OutputMode.Replace || !File.Exists(path))
        {
            // The output folder may have been moved away or deleted (a tidy-up of done/): recreate it rather than
            // retry for ever on DirectoryNotFoundException while the alerts wait.
            if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }

            return new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        var content = new byte[file.Length];
        await file.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
        var complete = content.AsSpan().LastIndexOf((byte)'\n') + 1;
        _existing = [];
        foreach (var range in content.AsSpan(0, complete).Split((byte)'\n'))
        {
            if (range.End.GetOffset(complete) > range.Start.GetOffset(complete))
            {
                _existing.Add(Fingerprint(content.AsSpan(0, complete)[range]));
            }
        }

        file.SetLength(complete); // a line torn by the crash is written again whole
        file.Position = complete;
        return file;
    }

    /// <summary>128 bits of SHA-256: collisions are not a practical concern, and a million lines cost ~40 MB at most.</summary>
    private static UInt128 Fingerprint(ReadOnlySpan<byte> line)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(line, hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
        else if (mode == OutputMode.Replace || !File.Exists(path))
        {
            await File.WriteAllBytesAsync(path, []).ConfigureAwait(false);
        }
    }
}

public enum OutputMode
{
    /// <summary>A fresh file each run (replay).</summary>
    Replace,

    /// <summary>Append, skipping lines already present (the folder source, which may re-process an input after a crash).</summary>
    Resume,
}
