namespace GcTriage.Core;

/// <summary>A .nettrace file that cannot be read to its end: truncated, or not a nettrace at all.</summary>
public sealed class TraceFormatException(string path, string detail, Exception? inner = null)
    : GcTriageException(ErrorCatalog.TraceFormat, GcErrorKind.InvalidData, $"'{path}' cannot be read as a .nettrace trace: {detail}", path, inner)
{
    /// <summary>GCs read before the point where the file broke (they were emitted).</summary>
    public long PausesRead { get; init; }
}

public sealed class TraceNotFoundException(string path)
    : GcTriageException(ErrorCatalog.TraceNotFound, GcErrorKind.ObjectNotFound, $"Trace file '{path}' does not exist.", path);

/// <summary>The diagnostics channel answered but refused or broke the EventPipe session.</summary>
public sealed class EventPipeSessionException(int processId, string detail, Exception? inner = null)
    : GcTriageException(ErrorCatalog.EventPipeSessionFailed, GcErrorKind.ResourceUnavailable, $"Could not run an EventPipe session on process {processId}: {detail}", processId, inner);
