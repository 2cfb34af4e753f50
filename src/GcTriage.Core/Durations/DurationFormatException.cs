namespace GcTriage.Core;

/// <summary>A duration argument that is not a duration, or means something the user most likely did not (under a second, days by accident).</summary>
public sealed class DurationFormatException(object? value, string message)
    : GcTriageException(ErrorCatalog.InvalidDuration, GcErrorKind.InvalidArgument, message, value)
{
    public const string Accepted = "a TimeSpan, a number of seconds (20), or a string such as '30s', '5m', '1h', '1h30m' or '00:00:30'";
}
