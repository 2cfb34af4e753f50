namespace GcTriage.Core;

/// <summary>The target is stopped (SIGSTOP, a debugger, job control): its runtime cannot answer until it is continued.</summary>
public sealed class ProcessStoppedException(int processId, string? name)
    : GcTriageException(ErrorCatalog.ProcessStopped, GcErrorKind.ResourceUnavailable,
        $"Process {processId}{(name is null ? "" : $" ({name})")} is stopped (state T in /proc/{processId}/stat): its runtime cannot answer until the process is continued (kill -CONT {processId}).", processId)
{
    public string? ProcessName => name;
}

/// <summary>The diagnostics channel accepted the connection but did not answer in time.</summary>
public sealed class DiagnosticsTimeoutException(int processId, string waitedFor, TimeSpan timeout, Exception? inner = null)
    : GcTriageException(ErrorCatalog.DiagnosticsTimeout, GcErrorKind.OperationTimeout,
        $"Process {processId} did not answer within {timeout.TotalSeconds:0.#} s: waited for {waitedFor}. Its runtime may be hung or stopped, or the socket is not the runtime's.", processId, inner)
{
    public string WaitedFor => waitedFor;
}

/// <summary>
/// The diagnostics socket the client would connect to is not the one the process's runtime created: its key is not the
/// process's start time (a socket left by an earlier process with the same id, or one planted by someone else).
/// </summary>
public sealed class DiagnosticsSocketMismatchException(int processId, string socketPath, string expectedKey)
    : GcTriageException(ErrorCatalog.DiagnosticsSocketMismatch, GcErrorKind.SecurityError,
        $"Refusing to talk to '{socketPath}': its key is not the start time of process {processId} ({expectedKey}), so it was not created by that process's runtime (a stale socket of an earlier process with the same id, or a planted one). Remove it if it is stale.", socketPath)
{
    public int ProcessId => processId;
}

/// <summary>Writing a live session's raw trace (-OutFile) failed: full disk, quota, I/O error.</summary>
public sealed class TraceWriteFailedException(string path, Exception inner)
    : GcTriageException(ErrorCatalog.TraceWriteFailed, GcErrorKind.WriteError, $"Writing the trace to '{path}' failed: {inner.Message}", path, inner);
