using System.Runtime.InteropServices;

namespace Loopwire.Bench.Load;

/// <summary>The process's open-file limit (RLIMIT_NOFILE): each held WebSocket is one descriptor in each process.</summary>
/// <remarks>Raising the soft limit to the hard one needs no privilege; a child process started afterwards inherits it.</remarks>
public static partial class FileDescriptorLimit
{
    private const int RlimitNofile = 7;

    /// <summary>Raises the soft limit to the hard limit (Linux); returns the limits after, or null where unsupported.</summary>
    public static (ulong Soft, ulong Hard)? RaiseToHard()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        if (GetRLimit(RlimitNofile, out var limit) != 0)
        {
            return null;
        }

        if (limit.Current < limit.Max)
        {
            var raised = new RLimit { Current = limit.Max, Max = limit.Max };
            if (SetRLimit(RlimitNofile, ref raised) == 0)
            {
                limit = raised;
            }
        }

        return (limit.Current, limit.Max);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SetRLimit(int resource, ref RLimit limit);
}
