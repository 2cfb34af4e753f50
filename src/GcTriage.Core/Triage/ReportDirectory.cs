namespace GcTriage.Core;

/// <summary>
/// The report folder: created owner-only (0700 on Unix) when missing, checked writable up front, and every file of a report
/// checked before anything runs (a file a run would replace needs -Force; a link or a non-regular file there is an error even
/// with it), then written through <see cref="OwnerOnlyFile"/>.
/// </summary>
public sealed class ReportDirectory
{
    /// <summary>Every file a report can consist of; a run may write only these (and its dump), so all are checked up front.</summary>
    public static readonly IReadOnlyList<string> ReportFiles = new[]
    {
        "fragmentation.csv", "free-blocks.csv", "handles.csv", "finalization.csv", "mark-cost.csv", "cross-generation.csv",
        "findings.csv", "likely-causes.csv", "errors.csv", "types.csv", "settings.csv", "settings-effective.csv", "pauses.csv", "pause-summary.csv",
        "collections.csv", "bitsets.csv", "roots.csv", "leak-suspects.csv", "schema.json", "report.json", "report.html",
    };

    private readonly bool _force;

    private ReportDirectory(string path, bool force, bool created)
    {
        Path = path;
        _force = force;
        Created = created;
    }

    public string Path { get; }

    /// <summary>True when <see cref="Prepare"/> made the folder (it was missing).</summary>
    public bool Created { get; }

    /// <summary>
    /// Removes the folder when this run made it and nothing is in it: a run that failed before writing (an unreadable dump, a
    /// process gone) leaves nothing behind. A folder that was there before, holds anything, or is no longer a plain folder stays.
    /// </summary>
    public void RemoveIfUnused()
    {
        if (!Created || PathInspector.KindOf(Path) != FileKind.Directory)
        {
            return;
        }

        try
        {
            if (!Directory.EnumerateFileSystemEntries(Path).Any())
            {
                Directory.Delete(Path, recursive: false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something came into it, or it went: either way it is not ours to clear.
        }
    }

    /// <summary>
    /// Creates the folder when missing (owner-only), proves it writable, and checks every report file's path: one already
    /// there is FileExists unless <paramref name="force"/>; a link, device, FIFO, socket or folder is an error always.
    /// </summary>
    public static ReportDirectory Prepare(string path, bool force)
    {
        string full = System.IO.Path.GetFullPath(path);
        OwnerOnlyFile.CheckFolder(full); // before the folder is created: judged by the nearest folder above it then
        bool created = false;
        try
        {
            switch (PathInspector.KindOf(full))
            {
                case FileKind.Missing:
                    OwnerOnlyFile.CreateFolder(full);
                    created = true;
                    break;
                case FileKind.Directory:
                case FileKind.SymbolicLink when Directory.Exists(full):
                    break;
                default:
                    throw new OutputDirectoryException(full, "it is not a folder.");
            }

            OwnerOnlyFile.ProbeFolder(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException
            || (e is GcTriageException g && g.ErrorId != ErrorCatalog.OutputDirectoryNotWritable))
        {
            throw new OutputDirectoryException(full, e.Message, e)
            {
                RecommendedAction = "Give an -OutputDirectory this user can create and write (a folder the module makes owner-only).",
            };
        }

        foreach (string name in ReportFiles)
        {
            OwnerOnlyFile.CheckTarget(System.IO.Path.Combine(full, name), force);
        }

        return new ReportDirectory(full, force, created);
    }

    public string FilePath(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>One of the <see cref="ReportFiles"/>, written owner-only and renamed into place when the stream is disposed.</summary>
    public OwnerOnlyFileStream Create(string name)
    {
        if (!ReportFiles.Contains(name))
        {
            throw new ArgumentException($"'{name}' is not one of the report's files: add it to ReportDirectory.ReportFiles, so that -Force guards it.", nameof(name));
        }

        return OwnerOnlyFile.Create(FilePath(name), _force);
    }
}
