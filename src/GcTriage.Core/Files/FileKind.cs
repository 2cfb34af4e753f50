namespace GcTriage.Core;

/// <summary>What a path's last component is, seen without following a symbolic link (lstat).</summary>
public enum FileKind
{
    Missing,
    RegularFile,
    SymbolicLink,
    Directory,
    Other,
}
