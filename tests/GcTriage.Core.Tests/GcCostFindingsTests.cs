using GcTriage.Core;

namespace GcTriage.Core.Tests;

/// <summary>The GC-cost rules of the triage (GcCostFindings) on report figures: severities follow the weight of the evidence.</summary>
public sealed class GcCostFindingsTests
{
    private static GcFragmentation Gen2(long objects, long free) => new()
    {
        Generation = GcGeneration.Gen2,
        ObjectBytes = objects,
        FreeBytes = free,
        FreeBlocks = 10,
        FragmentationRatio = (double)free / (objects + free),
        LargestFreeBlocks = new[]
        {
            new GcFreeBlock
            {
                Size = free / 10,
                PinnedNeighbours = new[] { new GcPinnedNeighbour { TypeName = "System.Byte[]", PinnedBy = GcPinKind.PinnedHandle, Root = "handle 0x10" } },
            },
        },
    };

    private static GcPause Pause(int generation, GcPauseType type, long heapAfter = 0, int pinned = 0) =>
        new() { Generation = generation, Type = type, PauseMs = 300, HeapAfterBytes = heapAfter, PinnedObjects = pinned };

    private static GcFindingSeverity? SeverityOf(List<GcCostFindings.Result> results, string code) =>
        results.Where(r => r.Finding.Code == code).Select(r => (GcFindingSeverity?)r.Finding.Severity).FirstOrDefault();

    [Fact]
    public void Gen2Fragmentation_IsAWarningByItsShare_AndCriticalWithBlockingGen2Gcs()
    {
        var report = new GcTriageReport { HeapBytes = 1000L << 20, Fragmentation = new[] { Gen2(400L << 20, 200L << 20) } };
        var alone = GcCostFindings.Evaluate(report, Array.Empty<GcHandleStat>());
        Assert.Equal(GcFindingSeverity.Warning, SeverityOf(alone, GcCostFindings.GenerationFragmented));
        Assert.Contains("System.Byte[] (PinnedHandle, handle 0x10)", alone.Single().Finding.Message);

        report.Pauses = new[] { Pause(2, GcPauseType.NonConcurrent), Pause(0, GcPauseType.NonConcurrent) };
        var withPauses = GcCostFindings.Evaluate(report, Array.Empty<GcHandleStat>());
        Assert.Equal(GcFindingSeverity.Critical, SeverityOf(withPauses, GcCostFindings.GenerationFragmented));
        Assert.True(withPauses.Single().Cause.Weight > alone.Single().Cause.Weight);

        // Below the absolute floor (16 MB free), however high the ratio: nothing.
        report.Fragmentation = new[] { Gen2(1L << 20, 8L << 20) };
        Assert.Null(SeverityOf(GcCostFindings.Evaluate(report, Array.Empty<GcHandleStat>()), GcCostFindings.GenerationFragmented));
    }

    [Fact]
    public void YoungPinnedHandles_RiseWithTheirCount_AndWithPinnedObjectsPerGc()
    {
        var report = new GcTriageReport { HeapBytes = 100L << 20 };
        var few = new[] { new GcHandleStat { Kind = GcHandleKind.Pinned, TypeName = "System.Byte[]", Count = 20, Gen0Count = 20 } };
        Assert.Equal(GcFindingSeverity.Info, SeverityOf(GcCostFindings.Evaluate(report, few), GcCostFindings.YoungPinnedHandles));

        var many = new[] { new GcHandleStat { Kind = GcHandleKind.AsyncPinned, TypeName = "System.Threading.OverlappedData", Count = 5000, Gen0Count = 3000, Gen1Count = 2000 } };
        var result = GcCostFindings.Evaluate(report, many);
        Assert.Equal(GcFindingSeverity.Warning, SeverityOf(result, GcCostFindings.YoungPinnedHandles));
        Assert.Contains("5,000 pinned or async-pinned handles", result.Single().Finding.Message);

        report.Pauses = new[] { Pause(0, GcPauseType.NonConcurrent, pinned: 250) };
        report.Fragmentation = new[] { new GcFragmentation { Generation = GcGeneration.Gen0, FragmentationRatio = 0.5 } };
        Assert.Equal(GcFindingSeverity.Warning, SeverityOf(GcCostFindings.Evaluate(report, few), GcCostFindings.YoungPinnedHandles));

        var old = new[] { new GcHandleStat { Kind = GcHandleKind.Pinned, TypeName = "System.Object[]", Count = 5, Gen2Count = 5 } };
        Assert.Null(SeverityOf(GcCostFindings.Evaluate(new GcTriageReport(), old), GcCostFindings.YoungPinnedHandles));
        var one = new[] { new GcHandleStat { Kind = GcHandleKind.Pinned, TypeName = "System.Byte[]", Count = 1, Gen0Count = 1 } };
        Assert.Null(SeverityOf(GcCostFindings.Evaluate(new GcTriageReport(), one), GcCostFindings.YoungPinnedHandles));
    }

    [Fact]
    public void FinalizationBacklog_IsInfoForAFew_WarningForThousands_AndRisesWithAGrowingHeap()
    {
        var report = new GcTriageReport { Finalization = new GcFinalizableStat { Count = 300, ReadyForFinalization = 200, ReadyBytes = 4800 } };
        Assert.Equal(GcFindingSeverity.Info, SeverityOf(GcCostFindings.Evaluate(report, Array.Empty<GcHandleStat>()), GcCostFindings.FinalizationBacklog));

        report.Finalization = new GcFinalizableStat { Count = 9000, ReadyForFinalization = 5000, ReadyBytes = 1L << 20 };
        Assert.Equal(GcFindingSeverity.Warning, SeverityOf(GcCostFindings.Evaluate(report, Array.Empty<GcHandleStat>()), GcCostFindings.FinalizationBacklog));

        report.Pauses = new[] { Pause(0, GcPauseType.NonConcurrent, heapAfter: 100L << 20), Pause(1, GcPauseType.NonConcurrent, heapAfter: 150L << 20) };
        var growing = GcCostFindings.Evaluate(report, Array.Empty<GcHandleStat>());
        Assert.Equal(GcFindingSeverity.Critical, SeverityOf(growing, GcCostFindings.FinalizationBacklog));
        Assert.Contains("grew from 100 MB to 150 MB", growing.Single().Finding.Message);

        report.Finalization = new GcFinalizableStat { Count = 10 };
        Assert.Null(SeverityOf(GcCostFindings.Evaluate(report, Array.Empty<GcHandleStat>()), GcCostFindings.FinalizationBacklog));
    }

    [Fact]
    public void StrongHandles_AreAFindingFromTenThousand()
    {
        var handles = new[]
        {
            new GcHandleStat { Kind = GcHandleKind.Strong, TypeName = "Api.Session", Count = 150_000 },
            new GcHandleStat { Kind = GcHandleKind.Strong, TypeName = "System.Object[]", Count = 10 },
        };
        var result = GcCostFindings.Evaluate(new GcTriageReport(), handles);
        Assert.Equal(GcFindingSeverity.Warning, SeverityOf(result, GcCostFindings.ManyStrongHandles));
        Assert.Contains("150,010 strong GC handles, 150,000 of them to Api.Session", result.Single().Finding.Message);
        Assert.Empty(GcCostFindings.Evaluate(new GcTriageReport(), handles.Skip(1).ToArray()));
    }
}
