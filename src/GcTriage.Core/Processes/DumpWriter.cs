using Microsoft.Diagnostics.NETCore.Client;

namespace GcTriage.Core;

/// <summary>Writes a dump of a live process through its diagnostics channel (the runtime's createdump), readable by its owner only.</summary>
public static class DumpWriter
{
    private const string StagingPrefix = ".gctriage-";

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

        // Probed once: the channel check and the staging folder's owner below both use this probe.
        ProcessProbeResult probe = ProcessProbe.Require(processId);
        DiagnosticsChannel.Check(probe, cancellationToken);
        var client = new DiagnosticsClient(processId);

        // The runtime's createdump writes the file as the target's user with its umask; write it into a private folder first,
        // make it owner-only, then move it into place, so the dump is never readable by others. Run as root for another user's
        // process, the folder is that user's for the dump's time (createdump could not write into ours), then ours again; it is
        // then made in the temp folder, which any user can traverse (the output folder's parents may not let that user in), and
        // the dump is copied into place through the owner-only writer.
        bool lend = StagingOwner.ShouldLend(probe);
        string staging = lend ? CreateSharedStaging() : CreateStaging(folder);

        bool lent = false;
        try
        {
            string staged = Path.Combine(staging, Path.GetFileName(target));
            if (lend)
            {
                StagingOwner.LendTo(staging, probe);
                lent = true;
            }

            WriteWithWatch(client, processId, staged, type, cancellationToken);
            if (lent)
            {
                // Ours again before the file is looked at: from here the target's user can no longer change the folder's entries.
                StagingOwner.TakeBack(staging);
                lent = false;
            }

            // Only a regular file is read: the target's user, owner of the folder meanwhile, could have left a link there or a
            // FIFO, whose open would block us for ever.
            if (PathInspector.KindOf(staged) != FileKind.RegularFile)
            {
                throw new GcTriageException(ErrorCatalog.DumpWriteFailed, GcErrorKind.WriteError, $"The runtime of process {processId} reported success but wrote no file.", processId);
            }

            if (lend)
            {
                CopyInto(staged, target, force, cancellationToken);
            }
            else
            {
                OwnerOnlyFile.Place(staged, target, force);
            }

            return new FileInfo(target);
        }
        finally
        {
            try
            {
                if (lent)
                {
                    StagingOwner.TakeBack(staging);
                }

                Directory.Delete(staging, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // left behind: a private folder named .gctriage-*, empty or with a partial dump
            }
        }
    }

    /// <summary>A new private (0700) folder beside the dump, under a random name nobody can make first.</summary>
    private static string CreateStaging(string folder)
    {
        string staging = Path.Combine(folder, StagingPrefix + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(staging);
        }
        else
        {
            Directory.CreateDirectory(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return staging;
    }

    /// <summary>A new private folder in the temp folder, made by mkdtemp (0700, never an existing path).</summary>
    private static string CreateSharedStaging() => Directory.CreateTempSubdirectory(StagingPrefix).FullName;

    /// <summary>
    /// Copies the staged dump into place through the owner-only writer, a chunk at a time on this thread, so that Ctrl+C ends a
    /// copy of a large dump between chunks (no thread-pool thread is needed, as for the rest of the dump). A copy cut short
    /// leaves the target as it was.
    /// </summary>
    private static void CopyInto(string staged, string target, bool force, CancellationToken cancellationToken)
    {
        using var source = new FileStream(staged, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var copy = OwnerOnlyFile.Create(target, force, bufferSize: 1 << 16);
        byte[] buffer = new byte[1 << 16];
        try
        {
            int read;
            while ((read = source.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                copy.Write(buffer, 0, read);
            }
        }
        catch
        {
            copy.Discard(); // a copy cut short (Ctrl+C, a failed read) is not put in place
            throw;
        }
    }

    /// <summary>
    /// Asks the runtime for the dump on a thread of our own and waits for it, watching the target: a target that dies meanwhile
    /// gives TargetProcessExited (not the channel's EndOfStreamException), Ctrl+C returns at once (the runtime finishes the dump
    /// into the staging folder, which is then removed). No deadline on the dump itself: a large heap takes minutes.
    /// </summary>
    private static void WriteWithWatch(DiagnosticsClient client, int processId, string staged, GcDumpType type, CancellationToken cancellationToken)
    {
        Task writing = DedicatedTask.Run(() => client.WriteDump(Map(type), staged, WriteDumpFlags.None));
        try
        {
            while (!writing.Wait(250, cancellationToken))
            {
                if (!ProcessProbe.Exists(processId))
                {
                    writing.Wait(TimeSpan.FromSeconds(2), cancellationToken);
                    throw new TargetProcessExitedException(processId);
                }
            }
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            Exception inner = e.InnerException!;
            if (inner is ServerErrorException && ProcessProbe.Exists(processId))
            {
                throw new GcTriageException(ErrorCatalog.DumpWriteFailed, GcErrorKind.WriteError, $"The runtime of process {processId} failed to write the dump: {inner.Message}", processId, inner);
            }

            throw DiagnosticsChannel.MapFailure(processId, "the dump", inner);
        }
        finally
        {
            if (!writing.IsCompleted)
            {
                _ = writing.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
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
