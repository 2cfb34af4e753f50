namespace GcTriage.Core;

/// <summary>
/// The report folder: created owner-only (0700 on Unix), checked writable up front, and files written owner-only (0600).
/// </summary>
public sealed class ReportDirectory
{
    public const UnixFileMode OwnerFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode OwnerFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The names of the files a report consists of (checked for -Force before anything runs).</summary>
    public static readonly IReadOnlyList<string> ReportFiles = new[] { "report.json", "report.html" };

    private ReportDirectory(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>
    /// Creates the folder when missing (owner-only), and proves it writable by creating and deleting a probe file. A report
    /// already there is an error unless <paramref name="force"/>.
    /// </summary>
    public static ReportDirectory Prepare(string path, bool force)
    {
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            if (System.IO.File.Exists(full))
            {
                throw new OutputDirectoryException(full, "it is a file, not a folder.");
            }

            if (!Directory.Exists(full))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(full);
                }
                else
                {
                    Directory.CreateDirectory(full, OwnerFolderMode);
                }
            }

            string probe = System.IO.Path.Combine(full, ".gctriage-probe-" + Guid.NewGuid().ToString("N")[..12]);
            using (Create(probe))
            {
            }

            System.IO.File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new OutputDirectoryException(full, e.Message, e)
            {
                RecommendedAction = "Give an -OutputDirectory this user can create and write (a folder the module makes owner-only).",
            };
        }

        if (!force)
        {
            foreach (string name in ReportFiles)
            {
                string existing = System.IO.Path.Combine(full, name);
                if (System.IO.File.Exists(existing))
                {
                    throw new FileExistsException(existing);
                }
            }
        }

        return new ReportDirectory(full);
    }

    public string FilePath(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Creates (or truncates) a file readable and writable by its owner only.</summary>
    public static FileStream Create(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFileMode;
        }

        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            // An existing file keeps its mode on truncation: set it.
            System.IO.File.SetUnixFileMode(stream.SafeFileHandle, OwnerFileMode);
        }

        return stream;
    }
}
