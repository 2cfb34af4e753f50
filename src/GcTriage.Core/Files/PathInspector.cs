using System.Runtime.InteropServices;

namespace GcTriage.Core;

/// <summary>lstat of a path's last component: its kind (statx on Linux: the same layout on every architecture).</summary>
internal static class PathInspector
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    private const ushort SIfMt = 0xF000;
    private const ushort SIfReg = 0x8000;
    private const ushort SIfLnk = 0xA000;
    private const ushort SIfDir = 0x4000;

    public static FileKind KindOf(string path)
    {
        if (OperatingSystem.IsLinux() && TryStatx(path, out ushort mode) is bool found)
        {
            return !found ? FileKind.Missing : (mode & SIfMt) switch
            {
                SIfReg => FileKind.RegularFile,
                SIfLnk => FileKind.SymbolicLink,
                SIfDir => FileKind.Directory,
                _ => FileKind.Other,
            };
        }

        return KindFromFileSystemInfo(path);
    }

    /// <summary>
    /// Portable lstat: a FileInfo does not follow the last link; a path that exists but is neither a file nor a folder as
    /// Windows sees it (a device name such as NUL or \\.\) is Other.
    /// </summary>
    private static FileKind KindFromFileSystemInfo(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || (info.Exists && info.Attributes.HasFlag(FileAttributes.ReparsePoint)))
        {
            return FileKind.SymbolicLink;
        }

        if (Directory.Exists(path) && new DirectoryInfo(path).Attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            return FileKind.SymbolicLink;
        }

        if (Directory.Exists(path))
        {
            return FileKind.Directory;
        }

        if (!info.Exists)
        {
            return FileKind.Missing;
        }

        if (info.Attributes.HasFlag(FileAttributes.Device) || (OperatingSystem.IsWindows() && IsWindowsDevicePath(path)))
        {
            return FileKind.Other;
        }

        return FileKind.RegularFile;
    }

    private static bool IsWindowsDevicePath(string path)
    {
        if (path.StartsWith(@"\\.\", StringComparison.Ordinal) || path.StartsWith(@"\\?\GLOBALROOT", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        string name = Path.GetFileNameWithoutExtension(path).TrimEnd(' ', '.').ToUpperInvariant();
        return name is "CON" or "PRN" or "AUX" or "NUL" or "CONIN$" or "CONOUT$"
            || (name.Length == 4 && (name.StartsWith("COM", StringComparison.Ordinal) || name.StartsWith("LPT", StringComparison.Ordinal)) && char.IsAsciiDigit(name[3]));
    }

    /// <summary>null when statx is not available (old kernel or libc); false when the path does not exist.</summary>
    private static unsafe bool? TryStatx(string path, out ushort mode)
    {
        mode = 0;
        byte* buffer = stackalloc byte[256];
        int rc;
        try
        {
            rc = statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxMode, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is ENOENT or ENOTDIR ? false : null;
        }

        // struct statx: u32 mask, u32 blksize, u64 attributes, u32 nlink, u32 uid, u32 gid, u16 mode.
        mode = *(ushort*)(buffer + 28);
        return true;
    }

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern unsafe int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);
}
