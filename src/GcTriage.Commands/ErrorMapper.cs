using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// The one place where exceptions become ErrorRecords: the ErrorId and category from the module's catalogue
/// (<see cref="ErrorCatalog"/>), never a .NET type name, and the target (path or pid).
/// </summary>
internal static class ErrorMapper
{
    public static ErrorRecord ToErrorRecord(Exception exception, object? target)
    {
        GcTriageException gc = ErrorCatalog.FromException(exception, target);
        var category = Enum.TryParse(gc.Kind.ToString(), out ErrorCategory c) ? c : ErrorCategory.NotSpecified;
        var record = new ErrorRecord(gc, gc.ErrorId, category, gc.Target ?? target);
        if (gc.RecommendedAction is not null)
        {
            record.ErrorDetails = new ErrorDetails(gc.Message) { RecommendedAction = gc.RecommendedAction };
        }

        return record;
    }

    /// <summary>
    /// An exception that is one input's failure and becomes an ErrorRecord; not the pipeline stopping (Ctrl+C,
    /// Select-Object -First), not PowerShell's own errors (they carry their record), not the process running out of memory.
    /// </summary>
    public static bool IsReportable(Exception exception) =>
        exception is not (OperationCanceledException or RuntimeException or OutOfMemoryException or StackOverflowException or ThreadAbortException);
}
