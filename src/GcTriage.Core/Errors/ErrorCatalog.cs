using System.Runtime.InteropServices;

namespace GcTriage.Core;

/// <summary>
/// The module's one list of ErrorIds, each with its category and meaning. Scripts match on these ids; no other id (and no .NET
/// type name) ever reaches an ErrorRecord. <see cref="FromException"/> turns any exception into one of these. The list is
/// printed in about_GcTriage (ERRORS); a test checks that every id here is documented there.
/// </summary>
public static class ErrorCatalog
{
    // Dumps
    public const string DumpNotFound = nameof(DumpNotFound);
    public const string ProcessStopped = nameof(ProcessStopped);
    public const string DiagnosticsTimeout = nameof(DiagnosticsTimeout);
    public const string DiagnosticsSocketMismatch = nameof(DiagnosticsSocketMismatch);
    public const string TraceWriteFailed = nameof(TraceWriteFailed);
    public const string DumpFormat = nameof(DumpFormat);
    public const string DumpClosed = nameof(DumpClosed);
    public const string DumpNotGiven = nameof(DumpNotGiven);
    public const string DumpNotRegularFile = nameof(DumpNotRegularFile);
    public const string AmbiguousDumpPath = nameof(AmbiguousDumpPath);
    public const string DacNotFound = nameof(DacNotFound);
    public const string InvalidDac = nameof(InvalidDac);
    public const string UntrustedDac = nameof(UntrustedDac);
    public const string InvalidAddress = nameof(InvalidAddress);
    public const string CollectionUnreadable = nameof(CollectionUnreadable);
    public const string GraphTooLarge = nameof(GraphTooLarge);

    // Traces and rows read back
    public const string TraceNotFound = nameof(TraceNotFound);
    public const string TraceFormat = nameof(TraceFormat);
    public const string InvalidTypeStatRow = nameof(InvalidTypeStatRow);
    public const string InvalidPauseInput = nameof(InvalidPauseInput);

    // Live processes
    public const string ProcessNotFound = nameof(ProcessNotFound);
    public const string NotDotNetProcess = nameof(NotDotNetProcess);
    public const string TargetProcessExited = nameof(TargetProcessExited);
    public const string EventPipeSessionFailed = nameof(EventPipeSessionFailed);
    public const string DumpWriteFailed = nameof(DumpWriteFailed);
    public const string DumpNotRemoved = nameof(DumpNotRemoved);

    // Files the module writes
    public const string FileExists = nameof(FileExists);
    public const string OutputIsLink = nameof(OutputIsLink);
    public const string OutputNotRegularFile = nameof(OutputNotRegularFile);
    public const string UntrustedOutputFolder = nameof(UntrustedOutputFolder);
    public const string DumpPathIsDirectory = nameof(DumpPathIsDirectory);
    public const string DumpFolderNotFound = nameof(DumpFolderNotFound);
    public const string OutputDirectoryNotWritable = nameof(OutputDirectoryNotWritable);

    // Any file or path
    public const string PathNotFound = nameof(PathNotFound);
    public const string AccessDenied = nameof(AccessDenied);
    public const string DiskFull = nameof(DiskFull);
    public const string ReadOnlyFileSystem = nameof(ReadOnlyFileSystem);
    public const string IOError = nameof(IOError);
    public const string UnexpectedEndOfData = nameof(UnexpectedEndOfData);
    public const string InvalidData = nameof(InvalidData);

    // Everything else
    public const string InvalidArgument = nameof(InvalidArgument);
    public const string InvalidDuration = nameof(InvalidDuration);
    public const string FindingSeverityReached = nameof(FindingSeverityReached);
    public const string Unexpected = nameof(Unexpected);

    /// <summary>Every id, its category and what it means (the source of the ERRORS section of about_GcTriage).</summary>
    public static readonly IReadOnlyList<ErrorCatalogEntry> Entries = new ErrorCatalogEntry[]
    {
        new(DumpNotFound, GcErrorKind.ObjectNotFound, "The dump file does not exist (or a wildcard matched nothing)."),
        new(DumpFormat, GcErrorKind.InvalidData, "The file is not a dump this module reads, or it is damaged or truncated."),
        new(DumpClosed, GcErrorKind.InvalidOperation, "The GcDump session was closed; open the dump again."),
        new(DumpNotGiven, GcErrorKind.InvalidArgument, "A command that reads a dump got neither -Path/-LiteralPath nor -Dump."),
        new(DumpNotRegularFile, GcErrorKind.InvalidArgument, "The dump path is a FIFO, device, folder or a file under /proc or /sys: only regular files are opened as dumps."),
        new(AmbiguousDumpPath, GcErrorKind.InvalidArgument, "A path that must name one dump matches several files."),
        new(DacNotFound, GcErrorKind.ObjectNotFound, "No DAC that matches the dump's runtime was found; give -DacPath."),
        new(InvalidDac, GcErrorKind.InvalidArgument, "The DAC given or found cannot be used for this dump."),
        new(UntrustedDac, GcErrorKind.PermissionDenied, "A DAC found on its own could have been written by others (file or a folder above it): it is not loaded."),
        new(InvalidAddress, GcErrorKind.InvalidArgument, "No object (of the kind asked for) starts at the address."),
        new(CollectionUnreadable, GcErrorKind.InvalidData, "One collection's fields are damaged or inconsistent; the other rows are still written."),
        new(GraphTooLarge, GcErrorKind.LimitsExceeded, "The heap has more objects (or one object more references) than the reference graph can number."),
        new(TraceNotFound, GcErrorKind.ObjectNotFound, "The .nettrace file does not exist."),
        new(TraceFormat, GcErrorKind.InvalidData, "The file cannot be read as a .nettrace (truncated, or not a trace)."),
        new(InvalidTypeStatRow, GcErrorKind.InvalidData, "A row given to Compare-GcHeap lacks TypeName, Count or TotalSize (with -Retained: Size, RetainedBytes, RetainedCount), or holds no number there."),
        new(InvalidPauseInput, GcErrorKind.InvalidData, "An object given to Measure-GcPause is not a GC pause."),
        new(ProcessNotFound, GcErrorKind.ObjectNotFound, "No process with that id or name exists."),
        new(NotDotNetProcess, GcErrorKind.InvalidArgument, "The process has no .NET diagnostics channel this user can reach."),
        new(TargetProcessExited, GcErrorKind.ResourceUnavailable, "The process exited while the command worked on it."),
        new(ProcessStopped, GcErrorKind.ResourceUnavailable, "The process is stopped (SIGSTOP or a debugger): it cannot answer on its diagnostics channel until it is continued."),
        new(DiagnosticsTimeout, GcErrorKind.OperationTimeout, "The diagnostics socket accepted but did not answer in time; the message names what was waited for."),
        new(DiagnosticsSocketMismatch, GcErrorKind.SecurityError, "The diagnostics socket the client would use is not the process's own (its key is not the process start time): refused."),
        new(TraceWriteFailed, GcErrorKind.WriteError, "Copying the session's trace to -OutFile failed (a full or read-only disk): the session was stopped."),
        new(EventPipeSessionFailed, GcErrorKind.ResourceUnavailable, "The diagnostics channel refused or broke the EventPipe session."),
        new(DumpWriteFailed, GcErrorKind.WriteError, "The runtime failed to write the dump."),
        new(DumpNotRemoved, GcErrorKind.WriteError, "Invoke-GcTriage could not delete the dump it captured for the run (a report error, not a stop)."),
        new(FileExists, GcErrorKind.ResourceExists, "The output file (or a file of the report) exists; -Force replaces it."),
        new(OutputIsLink, GcErrorKind.SecurityError, "The output path is a symbolic link; the module never writes through one, even with -Force."),
        new(OutputNotRegularFile, GcErrorKind.InvalidArgument, "The output path is a device, FIFO, socket or folder; only regular files are replaced, even with -Force."),
        new(UntrustedOutputFolder, GcErrorKind.SecurityError, "Another user could swap or plant files in the output folder (it, a folder above it or a link on the way is owned by someone other than root and this user, or writable by group or others without the sticky bit): nothing is written there, even with -Force."),
        new(DumpPathIsDirectory, GcErrorKind.InvalidArgument, "The dump path names a folder."),
        new(DumpFolderNotFound, GcErrorKind.ObjectNotFound, "The folder the dump should go into does not exist."),
        new(OutputDirectoryNotWritable, GcErrorKind.WriteError, "The report folder cannot be created or written (checked before any sampling)."),
        new(PathNotFound, GcErrorKind.ObjectNotFound, "A file or folder the command needs does not exist."),
        new(AccessDenied, GcErrorKind.PermissionDenied, "This user may not read or write the file or folder."),
        new(DiskFull, GcErrorKind.WriteError, "The file system is full (or the user's quota is used up); nothing partial is left behind."),
        new(ReadOnlyFileSystem, GcErrorKind.WriteError, "The file system is mounted read-only."),
        new(IOError, GcErrorKind.WriteError, "Another input/output failure of the operating system."),
        new(UnexpectedEndOfData, GcErrorKind.InvalidData, "A file or stream ended in the middle of a record (truncated, or the other end went away)."),
        new(InvalidData, GcErrorKind.InvalidData, "The data read is damaged or not in the expected format."),
        new(InvalidArgument, GcErrorKind.InvalidArgument, "A parameter value cannot be used."),
        new(InvalidDuration, GcErrorKind.InvalidArgument, "A duration under a second, a bare number in quotes ('5' is five days as a TimeSpan) or not a duration; on a parameter, PowerShell reports it as ParameterArgumentTransformationError with this message."),
        new(FindingSeverityReached, GcErrorKind.InvalidResult, "Invoke-GcTriage -FailOnFinding: a finding at or above that severity exists."),
        new(Unexpected, GcErrorKind.NotSpecified, "A failure the module did not foresee; the inner exception says what it was. Please report it."),
    };

    private static readonly Dictionary<string, GcErrorKind> s_kinds = Entries.ToDictionary(e => e.ErrorId, e => e.Kind, StringComparer.Ordinal);

    /// <summary>The category of a catalogued id; NotSpecified for an id that is not in the catalogue.</summary>
    public static GcErrorKind KindOf(string errorId) => s_kinds.TryGetValue(errorId, out GcErrorKind kind) ? kind : GcErrorKind.NotSpecified;

    /// <summary>
    /// The catalogued error for any exception: a GcTriageException as it is, anything else wrapped (inner kept) under the id
    /// that fits its type and, for I/O, its operating-system error code.
    /// </summary>
    public static GcTriageException FromException(Exception exception, object? target = null)
    {
        if (exception is GcTriageException gc)
        {
            return gc;
        }

        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            return FromException(aggregate.InnerException!, target);
        }

        string id = IdOf(exception);
        string message = exception.Message;
        if (id == AccessDenied && target is string path && WhoMayNot(path) is string who)
        {
            message += " " + who;
        }

        return new GcTriageException(id, KindOf(id), message, target, exception);
    }

    /// <summary>
    /// For AccessDenied on Linux: who this user is and who owns the path (or the folder it would be in), so that the message
    /// says why without a second look ("this user is uid 65534; '/x.dmp' is owned by uid 0 with mode 0600").
    /// </summary>
    private static string? WhoMayNot(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            string? p = Path.GetFullPath(path);
            while (p is not null)
            {
                if (UnixStat.Get(p, followLink: true, out _) is UnixStat st)
                {
                    return $"(This user is uid {UnixStat.EffectiveUserId}; '{p}' is {st.Describe()} owned by uid {st.Uid}, gid {st.Gid}, with mode 0{Convert.ToString(st.Mode & 0xFFF, 8)}.)";
                }

                p = Path.GetDirectoryName(p);
            }
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
        }

        return null;
    }

    private static string IdOf(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException or DriveNotFoundException => PathNotFound,
        UnauthorizedAccessException => IsErrno(e, Errno.EROFS) ? ReadOnlyFileSystem : AccessDenied,
        System.Security.SecurityException => AccessDenied,
        EndOfStreamException => UnexpectedEndOfData,
        IOException when IsDiskFull(e) => DiskFull,
        IOException when IsErrno(e, Errno.EROFS) || e.HResult == WindowsWriteProtect => ReadOnlyFileSystem,
        IOException => IOError,
        BadImageFormatException or InvalidDataException or FormatException => InvalidData,
        ArgumentException => InvalidArgument,
        _ => Unexpected,
    };

    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsWriteProtect = unchecked((int)0x80070013);

    private static bool IsDiskFull(Exception e) =>
        IsErrno(e, Errno.ENOSPC) || IsErrno(e, Errno.EDQUOT) || e.HResult == WindowsDiskFull || e.HResult == WindowsHandleDiskFull;

    // On Unix, .NET puts the raw errno into an IOException's HResult.
    private static bool IsErrno(Exception e, int errno) => !OperatingSystem.IsWindows() && e.HResult == errno;

    private static class Errno
    {
        public const int ENOSPC = 28;
        public const int EROFS = 30;
        public static readonly int EDQUOT = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? 122 : 69;
    }
}
