namespace GcTriage.Core;

/// <summary>The error categories the cmdlet layer maps onto PowerShell's ErrorCategory (same names).</summary>
public enum GcErrorKind
{
    NotSpecified,
    ObjectNotFound,
    InvalidData,
    InvalidArgument,
    InvalidOperation,
    ResourceExists,
    ResourceUnavailable,
    PermissionDenied,
    NotImplemented,
    OperationStopped,
    ReadError,
    WriteError,
    LimitsExceeded,
    InvalidResult,
    OperationTimeout,
    SecurityError,
}

/// <summary>
/// Every failure Core reports on purpose. ErrorId is stable (scripts match on it), Kind picks the ErrorCategory,
/// Target is what the error is about (a path, a process id, an address).
/// </summary>
public class GcTriageException : Exception
{
    public GcTriageException(string errorId, GcErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    /// <summary>An error whose kind is the one <see cref="ErrorCatalog"/> gives its id.</summary>
    public GcTriageException(string errorId, string message, object? target = null, Exception? inner = null)
        : this(errorId, ErrorCatalog.KindOf(errorId), message, target, inner)
    {
    }

    public string ErrorId { get; }
    public GcErrorKind Kind { get; }
    public object? Target { get; }
    /// <summary>What the user can do about it, where there is something.</summary>
    public string? RecommendedAction { get; init; }
}

public sealed class DumpNotFoundException(string path)
    : GcTriageException(ErrorCatalog.DumpNotFound, GcErrorKind.ObjectNotFound, $"Dump file '{path}' does not exist.", path);

public sealed class DumpFormatException(string path, string detail, Exception? inner = null)
    : GcTriageException(ErrorCatalog.DumpFormat, GcErrorKind.InvalidData, $"'{path}' cannot be read as a dump: {detail}", path, inner);

public sealed class DacNotFoundException(string path, string message)
    : GcTriageException(ErrorCatalog.DacNotFound, GcErrorKind.ObjectNotFound, message, path);

public sealed class InvalidDacException(string dacPath, string message, Exception? inner = null)
    : GcTriageException(ErrorCatalog.InvalidDac, GcErrorKind.InvalidArgument, message, dacPath, inner);

public sealed class ProcessNotFoundException(int processId)
    : GcTriageException(ErrorCatalog.ProcessNotFound, GcErrorKind.ObjectNotFound, $"No process with id {processId} exists.", processId);

public sealed class NotDotNetProcessException(int processId, string? name)
    : GcTriageException(ErrorCatalog.NotDotNetProcess, GcErrorKind.InvalidArgument,
        $"Process {processId}{(name is null ? "" : $" ({name})")} has no .NET diagnostics channel: it is not a .NET Core 3.0+ process, it runs as another user, or its diagnostics are disabled (DOTNET_EnableDiagnostics=0).", processId);

public sealed class TargetProcessExitedException(int processId, Exception? inner = null)
    : GcTriageException(ErrorCatalog.TargetProcessExited, GcErrorKind.ResourceUnavailable, $"Process {processId} exited.", processId, inner);

public sealed class FileExistsException(string path)
    : GcTriageException(ErrorCatalog.FileExists, GcErrorKind.ResourceExists, $"'{path}' already exists. Use -Force to overwrite it.", path);

public sealed class DumpClosedException(string path)
    : GcTriageException(ErrorCatalog.DumpClosed, GcErrorKind.InvalidOperation, $"The dump session for '{path}' is closed. Open it again with Open-GcDump.", path);

public sealed class InvalidAddressException(ulong address, string detail)
    : GcTriageException(ErrorCatalog.InvalidAddress, GcErrorKind.InvalidArgument, $"0x{address:x} is not an object on this heap: {detail}", address);
