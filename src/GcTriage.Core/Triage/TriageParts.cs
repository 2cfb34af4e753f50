namespace GcTriage.Core;

/// <summary>
/// The optional parts of a triage, each filled from the Core reader that answers it: settings and pauses for a process;
/// collections, bitsets and root paths for a dump. Each runs through TriageRunner.Part, so one that fails is listed in the
/// report's Errors and the others go on.
/// </summary>
internal static class TriageParts
{
    public static void RunProcessParts(TriageRunner runner, GcTriageReport report, int pid, CancellationToken cancellationToken,
        IProgress<GcProgress>? progress, ref bool pausesKnown, ref bool thresholdReached)
    {
    }

    public static void RunDumpParts(TriageRunner runner, GcTriageReport report, DumpSession session, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
    }
}
