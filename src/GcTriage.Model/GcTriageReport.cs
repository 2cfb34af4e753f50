namespace GcTriage;

/// <summary>When Invoke-GcTriage captures a dump of a live process.</summary>
public enum GcCaptureDumpMode
{
    /// <summary>Never: the report holds pauses and settings only.</summary>
    Never = 0,
    /// <summary>When the P99 or Max PauseMs of the sampling window reaches -PauseThresholdMs.</summary>
    OnThreshold = 1,
    /// <summary>Always, after the sampling window.</summary>
    Always = 2,
}

/// <summary>Something a part of the triage could not read; the report holds what could be.</summary>
public sealed class GcTriageError
{
    /// <summary>The part: Settings, Pauses, Dump, HeapStat, Collections, Bitsets, Roots, LeakSuspects, Report.</summary>
    public string Part { get; init; } = "";
    /// <summary>The stable ErrorId of the failure (GcTriageException.ErrorId), or the exception type name.</summary>
    public string ErrorId { get; init; } = "";
    public string Message { get; init; } = "";

    public override string ToString() => $"{Part}: {Message}";
}

/// <summary>A likely cause of the incident: findings that join the pause evidence with the heap evidence, ranked.</summary>
public sealed class GcLikelyCause
{
    /// <summary>1 is the most likely.</summary>
    public int Rank { get; init; }
    public GcFindingSeverity Severity { get; init; }
    /// <summary>Stable identifier, for example "SetLikeDictionary" or "BlockingGen2Pauses".</summary>
    public string Code { get; init; } = "";
    /// <summary>The cause in one sentence, with the figures that show it.</summary>
    public string Text { get; init; } = "";
    /// <summary>Bytes at stake where known (what the cause holds on the heap).</summary>
    public long? Bytes { get; init; }

    public override string ToString() => $"{Rank}. {Text}";
}

/// <summary>One file Invoke-GcTriage wrote.</summary>
public sealed class GcTriageFile
{
    /// <summary>report.json, report.html, or the table a CSV holds (types, collections, pauses...).</summary>
    public string Name { get; init; } = "";
    public string Path { get; init; } = "";
    public long Length { get; init; }

    public override string ToString() => Path;
}

/// <summary>
/// Everything one Invoke-GcTriage run found, for a process or a dump: each part is null (or empty) when it was not asked for
/// or could not be read, and then Errors says why.
/// </summary>
public sealed class GcTriageReport
{
    /// <summary>The schema of report.json and the CSVs (GcTriageSchema.Version).</summary>
    public string SchemaVersion { get; init; } = GcTriageSchema.Version;
    /// <summary>The module version that wrote the report.</summary>
    public string? ToolVersion { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime EndedAt { get; set; }
    /// <summary>"App (process 1234)" or the dump path.</summary>
    public string Target { get; set; } = "";
    public int? ProcessId { get; set; }
    public string? ProcessName { get; set; }
    /// <summary>The application's name: the entry assembly of "dotnet App.dll" (App), otherwise the process name.</summary>
    public string? ApplicationName { get; set; }
    public string? HostName { get; set; }
    /// <summary>The dump analysed: given with -Path, or captured by this run.</summary>
    public string? DumpPath { get; set; }
    /// <summary>Captured, Skipped (below threshold), Never, Failed, or null for a dump target.</summary>
    public string? CaptureStatus { get; set; }
    public double? PauseThresholdMs { get; set; }
    public double? DurationSeconds { get; set; }
    public string? OutputDirectory { get; set; }

    /// <summary>Dump facts: runtime, GC mode, heap count, objects, total heap bytes (free space included).</summary>
    public string? RuntimeVersion { get; set; }
    public string? GcMode { get; set; }
    public int? HeapCount { get; set; }
    public long? ObjectCount { get; set; }
    public long? HeapBytes { get; set; }
    /// <summary>Bytes of free space (the type Free) in the dump's heap.</summary>
    public long? FreeBytes { get; set; }

    /// <summary>The largest types of the dump (Get-GcHeapStat), largest first.</summary>
    public IReadOnlyList<GcTypeStat> TopTypes { get; set; } = Array.Empty<GcTypeStat>();

    /// <summary>GC settings and their findings (Get-GcSetting), for a process or from the dump.</summary>
    public GcSetting? Settings { get; set; }
    /// <summary>Every GC of the sampling window (Get-GcPause), in order.</summary>
    public IReadOnlyList<GcPause> Pauses { get; set; } = Array.Empty<GcPause>();
    /// <summary>The window's pause summary (Measure-GcPause), and one per generation.</summary>
    public GcPauseSummary? PauseSummary { get; set; }
    public IReadOnlyList<GcPauseSummary> PauseSummaryByGeneration { get; set; } = Array.Empty<GcPauseSummary>();
    /// <summary>The largest hash collections of the dump (Get-GcDictionary), largest first, with advice.</summary>
    public IReadOnlyList<GcCollectionInfo> Collections { get; set; } = Array.Empty<GcCollectionInfo>();
    /// <summary>The largest bit fields of the dump (Get-GcBitset).</summary>
    public IReadOnlyList<GcBitsetInfo> Bitsets { get; set; } = Array.Empty<GcBitsetInfo>();
    /// <summary>Root paths of the largest collections (Get-GcRoot).</summary>
    public IReadOnlyList<GcRootPath> RootPaths { get; set; } = Array.Empty<GcRootPath>();
    /// <summary>Leak suspects of the dump (Get-GcLeakSuspect at its default share), largest first.</summary>
    public IReadOnlyList<GcLeakSuspect> LeakSuspects { get; set; } = Array.Empty<GcLeakSuspect>();

    /// <summary>Free space per generation (Get-GcFragmentation), with the largest free blocks and what pins the objects after them.</summary>
    public IReadOnlyList<GcFragmentation> Fragmentation { get; set; } = Array.Empty<GcFragmentation>();
    /// <summary>GC handles by kind and target type (Get-GcHandle), most target bytes first.</summary>
    public IReadOnlyList<GcHandleStat> Handles { get; set; } = Array.Empty<GcHandleStat>();
    /// <summary>The finalization queues' totals (Get-GcFinalizable -Total): registered and ready for finalization.</summary>
    public GcFinalizableStat? Finalization { get; set; }
    /// <summary>What the mark phase traces, by type (Get-GcMarkCost), the most references first.</summary>
    public IReadOnlyList<GcMarkCostStat> MarkCost { get; set; } = Array.Empty<GcMarkCostStat>();
    /// <summary>Old-to-young references by source type and field (Get-GcCrossGenerationReference), the most first.</summary>
    public IReadOnlyList<GcCrossGenerationStat> CrossGenerationReferences { get; set; } = Array.Empty<GcCrossGenerationStat>();

    /// <summary>Settings findings and triage findings, the most severe first.</summary>
    public IReadOnlyList<GcFinding> Findings { get; set; } = Array.Empty<GcFinding>();
    /// <summary>Ranked likely causes, the most likely first.</summary>
    public IReadOnlyList<GcLikelyCause> LikelyCauses { get; set; } = Array.Empty<GcLikelyCause>();
    /// <summary>What could not be read; the rest of the report stands.</summary>
    public IReadOnlyList<GcTriageError> Errors { get; set; } = Array.Empty<GcTriageError>();
    /// <summary>The files written into the output directory.</summary>
    public IReadOnlyList<GcTriageFile> Files { get; set; } = Array.Empty<GcTriageFile>();

    public override string ToString() => $"{Target}: {Findings.Count} finding(s), {Errors.Count} error(s)";
}
