namespace GcTriage.Core;

/// <summary>lstat of a path's last component: its kind (on Linux through <see cref="UnixStat"/>'s statx).</summary>
internal static class PathInspector
{
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    public static FileKind KindOf(string path)
    {
        if (OperatingSystem.IsLinux() && TryStatx(path, out uint type) is bool found)
        {
            return !found ? FileKind.Missing : type switch
            {
                UnixStat.Regular => FileKind.RegularFile,
                UnixStat.SymbolicLink => FileKind.SymbolicLink,
                UnixStat.Directory => FileKind.Directory,
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

    /// <summary>null when statx is not available (old kernel or libc) or fails otherwise; false when the path does not exist.</summary>
    private static bool? TryStatx(string path, out uint type)
    {
        UnixStat? st = UnixStat.TryGet(path, followLink: false, out int errno);
        type = st?.Type ?? 0;
        return st is not null ? true : errno is ENOENT or ENOTDIR ? false : null;
    }
}
