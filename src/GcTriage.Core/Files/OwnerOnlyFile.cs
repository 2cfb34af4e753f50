using System.Security.AccessControl;
using System.Security.Principal;

namespace GcTriage.Core;

/// <summary>
/// The one way the module writes a file. A file is never written in place: it is created beside its target under a fresh
/// name, exclusively (O_CREAT|O_EXCL, which does not follow a link) and owner-only from birth (0600; on Windows an ACL with
/// the current user alone, inheritance cut), then renamed into place. A rename replaces a directory entry: it never writes
/// through a symbolic link planted at the target, never truncates a file someone hard-linked there, and a file replaced with
/// -Force is a new owner-only file, whatever mode the old one had. Before any work, the target is checked without following
/// links: a symbolic link is refused even with -Force (OutputIsLink), and so is a device, FIFO, socket or folder
/// (OutputNotRegularFile); an existing regular file needs overwrite (FileExists). A write that fails (a full disk) removes
/// its temporary file and leaves the target as it was.
/// </summary>
public static class OwnerOnlyFile
{
    public const UnixFileMode OwnerFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode OwnerFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Checks that <paramref name="path"/> may be written: missing, or a regular file when <paramref name="overwrite"/>.
    /// Returns the full path. Call it before long work, so that a bad output path fails before sampling starts.
    /// </summary>
    public static string CheckTarget(string path, bool overwrite)
    {
        string full = Path.GetFullPath(path);
        CheckFolder(Path.GetDirectoryName(full)!);
        switch (PathInspector.KindOf(full))
        {
            case FileKind.Missing:
                return full;
            case FileKind.RegularFile when overwrite:
                return full;
            case FileKind.RegularFile:
                throw new FileExistsException(full);
            case FileKind.SymbolicLink:
                throw new GcTriageException(ErrorCatalog.OutputIsLink, GcErrorKind.SecurityError,
                    $"'{full}' is a symbolic link; GcTriage does not write through links, even with -Force.", full)
                {
                    RecommendedAction = "Remove the link, or write to a path in a folder only you can write.",
                };
            default:
                throw new GcTriageException(ErrorCatalog.OutputNotRegularFile, GcErrorKind.InvalidArgument,
                    $"'{full}' is not a regular file (a folder, device, FIFO or socket); GcTriage replaces only regular files, even with -Force.", full);
        }
    }

    /// <summary>
    /// The rule for every folder the module writes into (checked by <see cref="CheckTarget"/>, so by every write): no user but
    /// root and the current one may be able to swap, rename or plant files in it or re-point a folder or link above it (see
    /// <see cref="TrustedPath.WhyUntrustedFolder"/>). Files are created exclusively and renamed into place, but in a folder
    /// another user controls that user could still move them away, replace them between the check and the rename, or turn the
    /// folder into a link to one of root's. A root-owned 1777 folder such as /tmp passes. Error: UntrustedOutputFolder.
    /// </summary>
    public static void CheckFolder(string folder)
    {
        string? reason = TrustedPath.WhyUntrustedFolder(folder);
        if (reason is not null)
        {
            string full = Path.GetFullPath(folder);
            throw new GcTriageException(ErrorCatalog.UntrustedOutputFolder, GcErrorKind.SecurityError,
                $"GcTriage does not write into '{full}': {reason}, so another user could swap or plant files there.", full)
            {
                RecommendedAction = "Write into a folder that only root and you can change (for example one of yours with mode 0700, or a root-owned sticky folder such as /tmp), or remove group and other write permission.",
            };
        }
    }

    /// <summary>
    /// <see cref="CheckTarget"/>, and proves the folder writable: for an output that is written only at the end of long work
    /// (sampling), so that an unwritable folder fails first.
    /// </summary>
    public static string CheckWritable(string path, bool overwrite)
    {
        string full = CheckTarget(path, overwrite);
        ProbeFolder(Path.GetDirectoryName(full)!);
        return full;
    }

    /// <summary>
    /// A new owner-only file that takes the place of <paramref name="path"/> when the stream is disposed. Errors: FileExists,
    /// OutputIsLink, OutputNotRegularFile (see <see cref="CheckTarget"/>), and the catalogued I/O errors.
    /// </summary>
    public static OwnerOnlyFileStream Create(string path, bool overwrite, int bufferSize = 4096)
    {
        string target = CheckTarget(path, overwrite);
        string temp = TempBeside(target);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                CreateEmptyWithOwnerAcl(temp);
                return new OwnerOnlyFileStream(temp, target, overwrite, new FileStreamOptions
                {
                    Mode = FileMode.Open,
                    Access = FileAccess.Write,
                    Share = FileShare.Read,
                    BufferSize = bufferSize,
                });
            }

            return new OwnerOnlyFileStream(temp, target, overwrite, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.Read,
                BufferSize = bufferSize,
                UnixCreateMode = OwnerFileMode,
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw ErrorCatalog.FromException(e, target);
        }
    }

    /// <summary>Writes <paramref name="bytes"/> as the whole content of an owner-only file.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool overwrite)
    {
        using OwnerOnlyFileStream stream = Create(path, overwrite);
        stream.Write(bytes);
    }

    /// <summary>
    /// Moves a finished file (written by someone else, such as the runtime's createdump) into place: made owner-only, then
    /// renamed over <paramref name="target"/> under the same checks as <see cref="Create"/>.
    /// </summary>
    public static void Place(string source, string target, bool overwrite)
    {
        target = CheckTarget(target, overwrite);
        try
        {
            MakeOwnerOnly(source);
            Rename(source, target, overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ErrorCatalog.FromException(e, target);
        }
    }

    /// <summary>Proves a folder writable by creating and removing an owner-only file in it.</summary>
    public static void ProbeFolder(string folder)
    {
        string probe = TempBeside(Path.Combine(folder, ".gctriage-probe"));
        try
        {
            Probe(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(probe);
            throw ErrorCatalog.FromException(e, folder);
        }
    }

    private static void Probe(string probe)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFileMode;
        }

        using var stream = new OwnerOnlyFileStream(probe, probe, overwrite: false, options);
        stream.Discard();
    }

    /// <summary>A folder created owner-only (0700; on Windows inheriting its parent's ACL) when missing.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerFolderMode);
        }
    }

    /// <summary>
    /// A fresh folder under the temp path for files written by code that takes only a path (TraceEvent's .etlx): created by
    /// mkdtemp (0700, a name nobody could plant), so what goes in it is private whatever mode that code gives its files.
    /// </summary>
    public static DirectoryInfo CreateScratchFolder() => Directory.CreateTempSubdirectory("gctriage-");

    public static void TryDeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    internal static void Rename(string source, string target, bool overwrite)
    {
        // Without overwrite .NET links the new name (failing if anything, even a dangling link, holds it) and unlinks the old.
        File.Move(source, target, overwrite);
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string TempBeside(string target) =>
        Path.Combine(Path.GetDirectoryName(target)!, "." + Path.GetFileName(target) + ".gctriage-" + Guid.NewGuid().ToString("N")[..12] + ".tmp");

    private static void MakeOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            new FileInfo(path).SetAccessControl(OwnerOnlySecurity());
        }
        else
        {
            File.SetUnixFileMode(path, OwnerFileMode);
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static void CreateEmptyWithOwnerAcl(string path)
    {
        // CreateNew: fails on anything already there, link or not; the ACL is set as the file is created.
        using FileStream _ = new FileInfo(path).Create(FileMode.CreateNew, FileSystemRights.Write | FileSystemRights.ReadData | FileSystemRights.Synchronize,
            FileShare.None, 4096, FileOptions.None, OwnerOnlySecurity());
    }

    /// <summary>Full control for the current user alone; nothing inherited from the folder.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static FileSecurity OwnerOnlySecurity()
    {
        using WindowsIdentity identity = WindowsIdentity.GetCurrent();
        SecurityIdentifier user = identity.User!;
        var security = new FileSecurity();
        security.SetOwner(user);
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        security.AddAccessRule(new FileSystemAccessRule(user, FileSystemRights.FullControl, AccessControlType.Allow));
        return security;
    }
}
