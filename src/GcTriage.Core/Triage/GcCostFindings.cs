using System.Globalization;

namespace GcTriage.Core;

/// <summary>
/// Findings from what makes each GC work harder on this heap (issue 15): fragmentation of the older generations, pinning, strong
/// handles, a finalization backlog. Each severity follows the weight of the evidence, and rises when the pauses show the cost
/// (blocking gen2 GCs for fragmentation, pinned objects per GC for pinning, a growing heap for a backlog).
/// </summary>
public static class GcCostFindings
{
    public const string GenerationFragmented = nameof(GenerationFragmented);
    public const string YoungPinnedHandles = nameof(YoungPinnedHandles);
    public const string ManyStrongHandles = nameof(ManyStrongHandles);
    public const string FinalizationBacklog = nameof(FinalizationBacklog);

    /// <summary>A gen2/LOH share of free space from which fragmentation is a finding, and the bytes below which it is not.</summary>
    public const double FragmentedRatio = 0.25;
    public const long FragmentedMinBytes = 16L << 20;
    /// <summary>Free bytes of gen2/LOH, as a share of the whole heap, from which fragmentation weighs as a Warning.</summary>
    public const double FragmentedHeapShare = 0.10;
    /// <summary>Pinned/async-pinned handles to gen0/gen1 objects: Info from YoungPinnedInfo (a handful pins nothing that matters), Warning from YoungPinnedWarning.</summary>
    public const long YoungPinnedInfo = 10;
    public const long YoungPinnedWarning = 1_000;
    /// <summary>Pinned objects per GC (GcPause.PinnedObjects) from which the pauses are said to carry the pinning.</summary>
    public const int PinnedPerGcWarning = 100;
    /// <summary>Strong handles: Info from this many, Warning from ten times as many (a leak the type statistics never show).</summary>
    public const long StrongHandlesInfo = 10_000;
    /// <summary>Objects ready for finalization: Info from the first, Warning from this many, Critical from ten times as many.</summary>
    public const long BacklogWarning = 1_000;
    /// <summary>Heap growth over the pause window (last HeapAfterBytes / first) that counts as growing.</summary>
    public const double GrowingHeap = 1.2;

    public readonly record struct Result(GcFinding Finding, TriageAnalyzer.Cause Cause);

    /// <summary>The findings of <paramref name="report"/>'s fragmentation, finalization and pauses, with every handle row (not only the report's top).</summary>
    public static List<Result> Evaluate(GcTriageReport report, IReadOnlyList<GcHandleStat> handles)
    {
        var results = new List<Result>();
        long heap = Math.Max(1, report.HeapBytes ?? report.Fragmentation.Sum(f => f.ObjectBytes + f.FreeBytes));
        var blockingGen2 = report.Pauses.Where(p => p.Generation == 2 && p.Type == GcPauseType.NonConcurrent).ToList();

        foreach (GcFragmentation f in report.Fragmentation.Where(f => f.Generation is GcGeneration.Gen2 or GcGeneration.LOH))
        {
            if (f.FragmentationRatio < FragmentedRatio || f.FreeBytes < FragmentedMinBytes)
            {
                continue;
            }

            GcFindingSeverity severity = (double)f.FreeBytes / heap >= FragmentedHeapShare ? GcFindingSeverity.Warning : GcFindingSeverity.Info;
            string pauses = "";
            if (blockingGen2.Count > 0)
            {
                severity = severity == GcFindingSeverity.Warning ? GcFindingSeverity.Critical : GcFindingSeverity.Warning;
                pauses = $"; {blockingGen2.Count} blocking gen2 GCs in the window (up to {TriageAnalyzer.Ms(blockingGen2.Max(p => p.PauseMs))}) compact or sweep around it";
            }

            GcPinnedNeighbour? pin = f.LargestFreeBlocks.SelectMany(b => b.PinnedNeighbours).FirstOrDefault();
            string pinned = pin is null ? "" : $"; the largest holes sit before pinned objects such as {pin.TypeName} ({pin.PinnedBy}, {pin.Root})";
            string text = $"{f.Generation} is {Pct(f.FragmentationRatio)} free space ({TriageAnalyzer.Bytes(f.FreeBytes)} in {TriageAnalyzer.N(f.FreeBlocks)} blocks beside {TriageAnalyzer.Bytes(f.ObjectBytes)} of objects){pinned}{pauses}.";
            Add(results, severity, GenerationFragmented, text, f.FreeBytes, blockingGen2.Count > 0 ? 80 : 40);
        }

        var youngPinned = handles.Where(h => h.Kind is GcHandleKind.Pinned or GcHandleKind.AsyncPinned).ToList();
        long young = youngPinned.Sum(h => h.Gen0Count + h.Gen1Count);
        int pinnedPerGc = report.Pauses.Count > 0 ? report.Pauses.Max(p => p.PinnedObjects) : 0;
        if (young >= YoungPinnedInfo || pinnedPerGc >= PinnedPerGcWarning)
        {
            GcHandleStat? top = youngPinned.OrderByDescending(h => h.Gen0Count + h.Gen1Count).FirstOrDefault();
            double youngFragmentation = report.Fragmentation.Where(f => f.Generation is GcGeneration.Gen0 or GcGeneration.Gen1)
                .Select(f => f.FragmentationRatio).DefaultIfEmpty(0).Max();
            GcFindingSeverity severity = young >= YoungPinnedWarning || pinnedPerGc >= PinnedPerGcWarning && youngFragmentation >= FragmentedRatio
                ? GcFindingSeverity.Warning : GcFindingSeverity.Info;
            string perGc = pinnedPerGc > 0 ? $"; GCs reported up to {TriageAnalyzer.N(pinnedPerGc)} pinned objects each" : "";
            string text = $"{TriageAnalyzer.N(young)} pinned or async-pinned handles hold gen0/gen1 objects{(top is null ? "" : $", most of them {top.TypeName} ({top.Kind})")}: "
                + $"the GC cannot move them, so gen0/gen1 keep holes (up to {Pct(youngFragmentation)} free) and survivors are demoted around them{perGc}.";
            Add(results, severity, YoungPinnedHandles, text, youngPinned.Sum(h => h.TargetBytes), pinnedPerGc > 0 ? 60 : 30);
        }

        long strong = handles.Where(h => h.Kind == GcHandleKind.Strong).Sum(h => h.Count);
        if (strong >= StrongHandlesInfo)
        {
            GcHandleStat top = handles.Where(h => h.Kind == GcHandleKind.Strong).MaxBy(h => h.Count)!;
            GcFindingSeverity severity = strong >= 10 * StrongHandlesInfo ? GcFindingSeverity.Warning : GcFindingSeverity.Info;
            string text = $"{TriageAnalyzer.N(strong)} strong GC handles, {TriageAnalyzer.N(top.Count)} of them to {top.TypeName}: each is a root every GC scans, and handles that grow without end are a leak the type statistics do not show (GCHandle.Alloc without Free).";
            Add(results, severity, ManyStrongHandles, text, handles.Where(h => h.Kind == GcHandleKind.Strong).Sum(h => h.TargetBytes), 30);
        }

        if (report.Finalization is { ReadyForFinalization: > 0 } fin)
        {
            GcFindingSeverity severity = fin.ReadyForFinalization >= 10 * BacklogWarning ? GcFindingSeverity.Critical
                : fin.ReadyForFinalization >= BacklogWarning ? GcFindingSeverity.Warning : GcFindingSeverity.Info;
            string growth = "";
            if (report.Pauses.Count >= 2 && report.Pauses[0].HeapAfterBytes > 0
                && report.Pauses[^1].HeapAfterBytes >= report.Pauses[0].HeapAfterBytes * GrowingHeap)
            {
                severity = severity == GcFindingSeverity.Info ? GcFindingSeverity.Warning : GcFindingSeverity.Critical;
                growth = $"; the heap grew from {TriageAnalyzer.Bytes(report.Pauses[0].HeapAfterBytes)} to {TriageAnalyzer.Bytes(report.Pauses[^1].HeapAfterBytes)} over the window";
            }

            string text = $"{TriageAnalyzer.N(fin.ReadyForFinalization)} objects ({TriageAnalyzer.Bytes(fin.ReadyBytes)}) are ready for finalization and wait for the finalizer thread "
                + $"(of {TriageAnalyzer.N(fin.Count)} finalizable): a finalizer that blocks or runs slowly keeps them, and all they reference, alive{growth}.";
            Add(results, severity, FinalizationBacklog, text, fin.ReadyBytes, growth.Length > 0 ? 70 : 35);
        }

        return results;
    }

    private static void Add(List<Result> results, GcFindingSeverity severity, string code, string text, long bytes, int weight) =>
        results.Add(new Result(new GcFinding { Severity = severity, Code = code, Message = text }, new TriageAnalyzer.Cause(severity, code, text, bytes, weight)));

    private static string Pct(double ratio) => (100 * ratio).ToString("0.#", CultureInfo.InvariantCulture) + " %";
}
