using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace AnprWatch.Kafka;

/// <summary>
/// Makes Confluent.Kafka bind to the librdkafka shipped in <c>librdkafka.redist</c>, whatever the operating system has.
/// </summary>
/// <remarks>
/// Without this, .NET falls back from a bundled file that fails to load to the OS search path: on Debian with
/// <c>librdkafka-dev</c> installed that is librdkafka 2.0.2, and the first consume then fails with
/// <c>EntryPointNotFoundException</c> (2.16's client calls functions 2.0 lacks). The bundled generic Linux build needs
/// <c>libsasl2.so.3</c>, which Debian 12 does not have, so the CentOS 8 build is the second choice.
/// <c>Library.Load(path)</c> is not used: it goes through libdl, absent here. A DllImport resolver on the
/// Confluent.Kafka assembly needs neither.
/// </remarks>
public static class BundledLibrdkafka
{
    // In order of preference: the generic glibc build, the CentOS 8 build (no libsasl2.so.3), the musl build (Alpine).
    private static readonly string[] Candidates = ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so"];

    private static readonly Lock Gate = new();
    private static string? _baseDirectory;
    private static IntPtr _handle;
    private static string? _loadedPath;

    /// <summary>The bundled file the client is bound to, once it has been loaded; null before, or off linux-x64.</summary>
    public static string? LoadedPath
    {
        get
        {
            lock (Gate)
            {
                return _loadedPath;
            }
        }
    }

    /// <summary>
    /// Registers the resolver (once per process; later calls do nothing). Nothing is loaded until the first Kafka
    /// client needs it, so commands that never touch Kafka pay nothing. Call before any Confluent.Kafka use.
    /// </summary>
    public static void Pin() => Pin(AppContext.BaseDirectory);

    /// <summary><see cref="Pin()"/> looking for the bundled files under <paramref name="baseDirectory"/>.</summary>
    public static void Pin(string baseDirectory)
    {
        // The redist package's Linux builds are x64 glibc/musl; elsewhere Confluent.Kafka's own probing is right.
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return;
        }

        lock (Gate)
        {
            if (_baseDirectory is not null)
            {
                return;
            }

            _baseDirectory = baseDirectory;
            NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        // Confluent.Kafka imports "librdkafka", then "centos8-librdkafka" and "alpine-librdkafka" as fallbacks: all of
        // them get the one pinned file. Anything else keeps the default resolution.
        if (!libraryName.Contains("librdkafka", StringComparison.Ordinal))
        {
            return IntPtr.Zero;
        }

        lock (Gate)
        {
            if (_handle != IntPtr.Zero)
            {
                return _handle;
            }

            var failures = new List<string>();
            foreach (var path in CandidatePaths(_baseDirectory!))
            {
                try
                {
                    _handle = NativeLibrary.Load(path);
                    _loadedPath = path;
                    return _handle;
                }
                catch (DllNotFoundException ex)
                {
                    failures.Add(ex.Message);
                }
            }

            // No bundled file at all (an unusual publish layout): the default probing may still find a usable one.
            // Bundled files that exist but do not load must not silently give way to an older OS library.
            return failures.Count == 0
                ? IntPtr.Zero
                : throw new DllNotFoundException("no bundled librdkafka loads: " + string.Join("; ", failures));
        }
    }

    private static IEnumerable<string> CandidatePaths(string baseDirectory)
    {
        // A framework-dependent build keeps native assets under runtimes/<rid>/native; a RID-specific publish flattens them.
        string[] directories = [Path.Combine(baseDirectory, "runtimes", "linux-x64", "native"), baseDirectory];
        return directories.SelectMany(d => Candidates.Select(c => Path.Combine(d, c))).Where(File.Exists);
    }
}
