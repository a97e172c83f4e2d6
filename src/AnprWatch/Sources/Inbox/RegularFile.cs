using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AnprWatch.Sources.Inbox;

/// <summary>
/// Opens an inbox input only if it is a regular file. A FIFO dropped into the inbox would block an ordinary open for
/// ever (open(2) waits for a writer), and with it every later file: the folder worker would match nothing, silently.
/// On Linux the file is opened with O_NONBLOCK, which returns at once for a FIFO and changes nothing for a regular
/// file; a handle that cannot seek (FIFO, socket, character device) is refused. .NET exposes no file type, hence libc.
/// </summary>
public static class RegularFile
{
    // Same values on x86-64 and arm64 Linux (asm-generic): O_RDONLY 0, O_NONBLOCK 04000, O_CLOEXEC 02000000.
    private const int ReadOnlyNonBlockingCloseOnExec = 0x800 | 0x80000;

    public static FileStream OpenForRead(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }

        var descriptor = Open(path, ReadOnlyNonBlockingCloseOnExec);
        if (descriptor < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno is 13 or 1
                ? new UnauthorizedAccessException($"permission denied opening {path} (errno {errno})")
                : new IOException($"cannot open {path}: {Marshal.GetLastPInvokeErrorMessage()} (errno {errno})");
        }

        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        FileStream stream;
        try
        {
            stream = new FileStream(handle, FileAccess.Read, 1);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new IOException("not a regular file (a FIFO, socket or device): only regular files dropped by rename are inputs");
        }

        return stream;
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
