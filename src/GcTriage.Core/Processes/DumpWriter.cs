using Microsoft.Diagnostics.NETCore.Client;

namespace GcTriage.Core;

/// <summary>Writes a dump of a live process through its diagnostics channel (the runtime's createdump), readable by its owner only.</summary>
public static class DumpWriter
{
    public static FileInfo Write(int processId, string path, GcDumpType type, bool force, CancellationToken cancellationToken = default)
    {
        string target = Path.GetFullPath(path);
        if (Directory.Exists(target))
        {
            throw new GcTriageException(ErrorCatalog.DumpPathIsDirectory, GcErrorKind.InvalidArgument, $"'{target}' is a folder; give a file name for the dump.", target);
        }

        OwnerOnlyFile.CheckTarget(target, force);

        string folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
        {
            throw new GcTriageException(ErrorCatalog.DumpFolderNotFound, GcErrorKind.ObjectNotFound, $"The folder '{folder}' does not exist.", folder);
        }

        ProcessCatalog.EnsureDotNetProcess(processId);

        // The runtime writes the file as the target's user with its umask; write it into a private folder first,
        // make it owner-only, then move it into place, so the dump is never readable by others.
        string staging = Path.Combine(folder, ".gctriage-" + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(staging);
        }
        else
        {
            Directory.CreateDirectory(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        try
        {
            string staged = Path.Combine(staging, Path.GetFileName(target));
            var client = new DiagnosticsClient(processId);
            try
            {
                client.WriteDumpAsync(Map(type), staged, WriteDumpFlags.None, cancellationToken).GetAwaiter().GetResult();
            }
            catch (ServerNotAvailableException e)
            {
                if (ProcessCatalog.ProcessName(processId) is null)
                {
                    throw new TargetProcessExitedException(processId, e);
                }

                throw new NotDotNetProcessException(processId, ProcessCatalog.ProcessName(processId));
            }
            catch (ServerErrorException e)
            {
                throw new GcTriageException(ErrorCatalog.DumpWriteFailed, GcErrorKind.WriteError, $"The runtime of process {processId} failed to write the dump: {e.Message}", processId, e);
            }

            if (!File.Exists(staged))
            {
                throw new GcTriageException(ErrorCatalog.DumpWriteFailed, GcErrorKind.WriteError, $"The runtime of process {processId} reported success but wrote no file.", processId);
            }

            OwnerOnlyFile.Place(staged, target, force);
            return new FileInfo(target);
        }
        finally
        {
            try
            {
                Directory.Delete(staging, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static DumpType Map(GcDumpType type) => type switch
    {
        GcDumpType.Full => DumpType.Full,
        GcDumpType.Heap => DumpType.WithHeap,
        GcDumpType.Mini => DumpType.Normal,
        GcDumpType.Triage => DumpType.Triage,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
