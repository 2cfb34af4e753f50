using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>The one place where exceptions become ErrorRecords: stable ErrorId, fitting category, the target.</summary>
internal static class ErrorMapper
{
    public const string Unexpected = nameof(Unexpected);
    public const string AccessDenied = nameof(AccessDenied);
    public const string IOError = nameof(IOError);
    public const string InvalidArgument = nameof(InvalidArgument);

    public static ErrorRecord ToErrorRecord(Exception exception, object? target)
    {
        if (exception is GcTriageException gc)
        {
            var category = Enum.TryParse(gc.Kind.ToString(), out ErrorCategory c) ? c : ErrorCategory.NotSpecified;
            var record = new ErrorRecord(gc, gc.ErrorId, category, gc.Target ?? target);
            if (gc.RecommendedAction is not null)
            {
                record.ErrorDetails = new ErrorDetails(gc.Message) { RecommendedAction = gc.RecommendedAction };
            }

            return record;
        }

        return exception switch
        {
            UnauthorizedAccessException => new ErrorRecord(exception, AccessDenied, ErrorCategory.PermissionDenied, target),
            FileNotFoundException or DirectoryNotFoundException => new ErrorRecord(exception, IOError, ErrorCategory.ObjectNotFound, target),
            IOException => new ErrorRecord(exception, IOError, ErrorCategory.WriteError, target),
            ArgumentException => new ErrorRecord(exception, InvalidArgument, ErrorCategory.InvalidArgument, target),
            _ => new ErrorRecord(exception, Unexpected, ErrorCategory.NotSpecified, target),
        };
    }
}
