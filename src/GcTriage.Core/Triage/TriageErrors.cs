namespace GcTriage.Core;

/// <summary>The -OutputDirectory cannot be created or written: raised before any sampling starts.</summary>
public sealed class OutputDirectoryException(string path, string detail, Exception? inner = null)
    : GcTriageException(ErrorCatalog.OutputDirectoryNotWritable, GcErrorKind.WriteError, $"Cannot write the triage report into '{path}': {detail}", path, inner)
{
}

/// <summary>A finding at or above -FailOnFinding exists (the run is marked failed for a scheduler).</summary>
public sealed class FindingSeverityException(GcFindingSeverity severity, IReadOnlyList<GcFinding> findings, string target)
    : GcTriageException(ErrorCatalog.FindingSeverityReached, GcErrorKind.InvalidResult,
        $"{findings.Count} finding(s) at or above {severity} for {target}: " + string.Join("; ", findings.Take(3).Select(f => $"[{f.Severity}] {f.Code}")) + (findings.Count > 3 ? "; ..." : ""),
        target)
{
    public IReadOnlyList<GcFinding> Findings { get; } = findings;
}
