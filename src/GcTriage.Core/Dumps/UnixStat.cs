using System.Runtime.InteropServices;

namespace GcTriage.Core;

/// <summary>Owner, mode and file type of a path on Linux, through statx(2) (its struct is the same on every architecture).</summary>
internal readonly record struct UnixStat(uint Uid, uint Gid, uint Mode)
{
    public const uint TypeMask = 0xF000;
    public const uint Regular = 0x8000;
    public const uint Directory = 0x4000;
    public const uint SymbolicLink = 0xA000;
    public const uint Fifo = 0x1000;
    public const uint CharacterDevice = 0x2000;
    public const uint BlockDevice = 0x6000;
    public const uint Socket = 0xC000;
    public const uint Sticky = 0x200;
    public const uint GroupWrite = 0x10;
    public const uint OtherWrite = 0x2;

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    public uint Type => Mode & TypeMask;

    /// <summary>The current process's effective user id (0 as root).</summary>
    public static uint EffectiveUserId => geteuid();

    /// <summary>Null when the path cannot be stat'ed (it does not exist, or statx is missing), with the errno text in <paramref name="error"/>.</summary>
    /// <param name="followLink">False to describe a symbolic link itself rather than what it points to.</param>
    public static UnixStat? Get(string path, bool followLink, out string? error)
    {
        UnixStat? st = TryGet(path, followLink, out int errno);
        error = st is not null ? null : errno == 0 ? "statx is not available" : Marshal.GetPInvokeErrorMessage(errno);
        return st;
    }

    /// <summary>Null when the path cannot be stat'ed, with its errno in <paramref name="errno"/> (0 when statx is missing).</summary>
    /// <param name="followLink">False to describe a symbolic link itself rather than what it points to.</param>
    public static unsafe UnixStat? TryGet(string path, bool followLink, out int errno)
    {
        byte* buffer = stackalloc byte[256];
        int rc;
        try
        {
            rc = statx(AtFdCwd, path, followLink ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            errno = 0;
            return null;
        }

        if (rc != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        // struct statx: stx_uid at 20, stx_gid at 24, stx_mode (16 bits) at 28.
        errno = 0;
        return new UnixStat(*(uint*)(buffer + 20), *(uint*)(buffer + 24), *(ushort*)(buffer + 28));
    }

    /// <summary>What kind of file a mode says, in words ("a FIFO", "a directory" ...).</summary>
    public string Describe() => Type switch
    {
        Regular => "a regular file",
        Directory => "a directory",
        SymbolicLink => "a symbolic link",
        Fifo => "a FIFO (named pipe)",
        CharacterDevice => "a character device",
        BlockDevice => "a block device",
        Socket => "a socket",
        _ => $"a file of type 0{Convert.ToString(Type >> 12, 8)}",
    };

    /// <summary>The path with every symbolic link and "..", resolved (realpath(3)); null when a part of it does not exist.</summary>
    public static unsafe string? RealPath(string path)
    {
        IntPtr resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern unsafe int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);

    [DllImport("libc")]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc")]
    private static extern void free(IntPtr pointer);
}
