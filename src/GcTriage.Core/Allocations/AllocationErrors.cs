namespace GcTriage.Core;

/// <summary>A .nettrace that cannot be read (truncated, not a trace, or without allocation ticks' metadata).</summary>
public sealed class AllocationTraceFormatException(string path, string detail, Exception? inner = null)
    : GcTriageException(ErrorCatalog.TraceFormat, GcErrorKind.InvalidData, $"'{path}' cannot be read as a .nettrace: {detail}", path, inner);

/// <summary>The trace file given to -TracePath does not exist.</summary>
public sealed class AllocationTraceNotFoundException(string path)
    : GcTriageException(ErrorCatalog.TraceNotFound, GcErrorKind.ObjectNotFound, $"Trace file '{path}' does not exist.", path);
