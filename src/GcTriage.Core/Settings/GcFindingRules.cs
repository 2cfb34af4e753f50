using System.Globalization;

namespace GcTriage.Core;

/// <summary>The rules that turn a GcSetting into findings. Each has a stable Code.</summary>
public static class GcFindingRules
{
    public const string ServerGcHeapsExceedCpuQuota = nameof(ServerGcHeapsExceedCpuQuota);
    public const string HeapNearMemoryLimit = nameof(HeapNearMemoryLimit);
    public const string ConcurrentDisabledLargeGen2 = nameof(ConcurrentDisabledLargeGen2);
    public const string LargeGen0Budget = nameof(LargeGen0Budget);
    public const string ServerGcOnSingleCpu = nameof(ServerGcOnSingleCpu);

    /// <summary>Gen2 at or above this, with background GC off, makes every full GC a long blocking pause.</summary>
    public const long LargeGen2Bytes = 1L << 30;
    /// <summary>A gen0 budget at or above this makes each gen0 GC scan (and pause for) far more than the cache-sized default.</summary>
    public const long LargeGen0BudgetBytes = 256L << 20;
    /// <summary>Heap at or above this share of the limit: Warning; at or above CriticalLimitShare: Critical.</summary>
    public const double WarningLimitShare = 0.80;
    public const double CriticalLimitShare = 0.90;

    public static List<GcFinding> Evaluate(GcSetting s)
    {
        var findings = new List<GcFinding>();
        string F(double d) => d.ToString("0.##", CultureInfo.InvariantCulture);

        if (s.GcMode == "Server" && s.HeapCount is int heaps)
        {
            if (s.CpuQuota is double quota && heaps > Math.Ceiling(quota))
            {
                var severity = heaps >= 2 * Math.Max(1, Math.Ceiling(quota)) ? GcFindingSeverity.Critical : GcFindingSeverity.Warning;
                findings.Add(new GcFinding
                {
                    Severity = severity,
                    Code = ServerGcHeapsExceedCpuQuota,
                    Message = $"Server GC with {heaps} heaps under a {F(quota)} CPU quota: {heaps} GC threads compete for {F(quota)} CPU(s) in every GC and get throttled; set GCHeapCount to at most {Math.Max(1, (int)Math.Ceiling(quota))}, use Workstation GC, or raise the quota.",
                });
            }
            else if (s.CpuQuota is null && s.ProcessorCount is int cpus && heaps > cpus)
            {
                findings.Add(new GcFinding
                {
                    Severity = GcFindingSeverity.Warning,
                    Code = ServerGcHeapsExceedCpuQuota,
                    Message = $"Server GC with {heaps} heaps on {cpus} usable CPU(s): the GC threads outnumber the CPUs.",
                });
            }
        }

        long? limit = Min(s.HeapHardLimit, s.MemoryLimitBytes);
        if (limit is long l && l > 0 && s.HeapSizeBytes is long heap)
        {
            double share = (double)heap / l;
            if (share >= WarningLimitShare)
            {
                string which = s.HeapHardLimit is long h && h == l ? "heap hard limit" : "container memory limit";
                findings.Add(new GcFinding
                {
                    Severity = share >= CriticalLimitShare ? GcFindingSeverity.Critical : GcFindingSeverity.Warning,
                    Code = HeapNearMemoryLimit,
                    Message = $"GC heap is {heap / 1048576.0:0} MB, {share * 100:0}% of the {which} ({l / 1048576.0:0} MB): expect back-to-back full GCs, then OutOfMemoryException or an OOM kill.",
                });
            }
        }

        if (s.Concurrent == false && s.Gen2SizeBytes is long gen2 && gen2 >= LargeGen2Bytes)
        {
            findings.Add(new GcFinding
            {
                Severity = GcFindingSeverity.Warning,
                Code = ConcurrentDisabledLargeGen2,
                Message = $"Background (concurrent) GC is disabled with a {gen2 / 1048576.0:0} MB gen2: every gen2 GC is a blocking pause over the whole heap; enable System.GC.Concurrent.",
            });
        }

        if (s.Gen0Size is long gen0 && gen0 >= LargeGen0BudgetBytes)
        {
            findings.Add(new GcFinding
            {
                Severity = GcFindingSeverity.Warning,
                Code = LargeGen0Budget,
                Message = $"Gen0 budget set to {gen0 / 1048576.0:0} MB (GCgen0size): gen0 GCs become rare but each one pauses much longer, and memory use grows by that much per heap.",
            });
        }

        // Configured values the GC does not run with (Server GC as Workstation on one CPU, GCHeapCount capped, DATAS off...).
        findings.AddRange(GcEffectiveSettings.Findings(s, s.ProcessorCount));
        return findings;
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
