namespace GcTriage;

/// <summary>How a GC ran: blocking (NonConcurrent), concurrently with the program (Background), or blocking during a background GC (Foreground).</summary>
public enum GcPauseType
{
    NonConcurrent = 0,
    Background = 1,
    Foreground = 2,
}

/// <summary>
/// One garbage collection seen over EventPipe (or read from a .nettrace). Times in milliseconds, sizes in bytes.
/// PauseMs of a blocking GC is the time from the runtime's SuspendEE start to its RestartEE end around that GC;
/// for a background GC it is the sum of its own short suspensions (the initial one and the final-mark one), not its whole duration.
/// </summary>
public sealed class GcPause
{
    /// <summary>The runtime's GC count (GCStart.Count): increases by one per GC in the process.</summary>
    public long Number { get; init; }
    /// <summary>When the GC started, UTC.</summary>
    public DateTime Timestamp { get; init; }
    /// <summary>
    /// Timestamp as culture-invariant ISO 8601 round-trip text (2026-11-30T05:10:09.1234567Z). Export-Csv writes a DateTime with
    /// the culture's pattern, which drops the milliseconds; this column keeps them, and Measure-GcPause reads it back.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string TimestampText => Timestamp.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
    /// <summary>Condemned generation: 0, 1 or 2.</summary>
    public int Generation { get; init; }
    public GcPauseType Type { get; init; }
    /// <summary>Why the GC ran, as the runtime names it (AllocSmall, Induced, LowMemory, AllocLarge, ...).</summary>
    public string Reason { get; init; } = "";
    /// <summary>Time the program's threads were stopped for this GC, in ms (see the class summary).</summary>
    public double PauseMs { get; init; }
    /// <summary>Part of PauseMs spent suspending the threads (SuspendEE start to SuspendEE end), in ms.</summary>
    public double SuspendMs { get; init; }
    /// <summary>The GC's whole elapsed time in ms: from the start of its first pause (or GCStart) to its end (GCEnd, or GCHeapStats which follows it at once) or the end of its last pause, whichever is later; for a background GC it includes the concurrent phase. PauseMs is a part of it.</summary>
    public double DurationMs { get; init; }
    /// <summary>Heap size when the GC began (sum of the generations' sizes before, from GCPerHeapHistory); null when the trace has no history event.</summary>
    public long? HeapBeforeBytes { get; init; }
    /// <summary>Heap size after the GC (GCHeapStats: Gen0+Gen1+Gen2+LOH+POH).</summary>
    public long HeapAfterBytes { get; init; }
    /// <summary>Bytes this GC found alive in the generations it condemned (GCHeapStats TotalPromoted).</summary>
    public long PromotedBytes { get; init; }
    public long Gen0SizeBytes { get; init; }
    public long Gen1SizeBytes { get; init; }
    public long Gen2SizeBytes { get; init; }
    public long LohSizeBytes { get; init; }
    public long PohSizeBytes { get; init; }
    /// <summary>Objects pinned during this GC (GCHeapStats PinnedObjectCount).</summary>
    public int PinnedObjects { get; init; }
    /// <summary>PauseMs as a percentage of the time from the previous GC's start (or the session start) to this GC's end.</summary>
    public double PauseTimePercent { get; init; }
    public int ProcessId { get; init; }

    /// <summary>Watch-GcPause only: the dump written after this pause, if any.</summary>
    public string? CapturedDumpPath { get; set; }
    /// <summary>Watch-GcPause only: what was done about this pause (ActionRun, DumpCaptured, SkippedCooldown, SkippedMaxCaptures, SkippedHeapTooLarge, CaptureFailed; SkippedOverlapsCapture for a GC that ran during one of its own dumps, which gets no action and no capture).</summary>
    public string? CaptureStatus { get; set; }

    /// <summary>
    /// True when this GC ran while the module had the process frozen for a capture (a dump Watch-GcPause wrote): its PauseMs and
    /// DurationMs include the freeze, not only the GC's work. Decided on the machine's monotonic clock, which the runtime's event
    /// timestamps use too: the GC's span (the start of its first suspension to its end) against the capture's (the request to
    /// the written dump). Measure-GcPause and the report leave such pauses out of their statistics unless asked.
    /// </summary>
    public bool OverlapsCapture { get; set; }
    /// <summary>With OverlapsCapture: the capture it overlapped (the dump's path).</summary>
    public string? OverlappedCapture { get; set; }

    public override string ToString() => $"GC#{Number} gen{Generation} {Type} {Reason} {PauseMs:0.###} ms{(OverlapsCapture ? " (overlaps a capture)" : "")}";
}

/// <summary>Statistics over a set of GC pauses (Measure-GcPause). Percentiles use the nearest-rank method.</summary>
public sealed class GcPauseSummary
{
    /// <summary>With -GroupBy: the group's value (for example "2" for Generation); otherwise empty.</summary>
    public string Group { get; init; } = "";
    /// <summary>With -GroupBy: the property grouped on.</summary>
    public string? GroupBy { get; init; }
    public int Count { get; init; }
    public double P50PauseMs { get; init; }
    public double P90PauseMs { get; init; }
    public double P99PauseMs { get; init; }
    public double MaxPauseMs { get; init; }
    public double MeanPauseMs { get; init; }
    public double TotalPauseMs { get; init; }
    /// <summary>TotalPauseMs as a percentage of the window (first GC start to last GC end, or the session duration for a live session).</summary>
    public double PauseTimePercent { get; init; }
    /// <summary>Window the pauses cover, in ms.</summary>
    public double WindowMs { get; init; }
    public int Gen0Count { get; init; }
    public int Gen1Count { get; init; }
    public int Gen2Count { get; init; }
    public int NonConcurrentCount { get; init; }
    public int BackgroundCount { get; init; }
    public int ForegroundCount { get; init; }
    /// <summary>Count per Reason, sorted by reason name.</summary>
    public IReadOnlyDictionary<string, int> CountByReason { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);
    /// <summary>GCs left out of these figures because they overlapped a capture the module made (GcPause.OverlapsCapture); 0 with -IncludeCapturePauses.</summary>
    public int CapturePausesExcluded { get; init; }
    public int ProcessId { get; init; }

    public override string ToString() => $"{(Group.Length > 0 ? Group + ": " : "")}{Count} GCs, p50 {P50PauseMs:0.###} ms, p99 {P99PauseMs:0.###} ms, max {MaxPauseMs:0.###} ms{(CapturePausesExcluded > 0 ? $" ({CapturePausesExcluded} overlapping a capture left out)" : "")}";
}
