namespace GcTriage.Core;

/// <summary>What Invoke-GcTriage runs: for a live process, or for a dump (a path or an open session).</summary>
public sealed class TriageOptions
{
    public int? ProcessId { get; init; }
    /// <summary>The dump to analyse when there is no process (opened and closed by the run).</summary>
    public string? DumpPath { get; init; }
    /// <summary>An open dump session to analyse (not closed by the run).</summary>
    public DumpSession? Dump { get; init; }
    public DumpOpenOptions? DumpOpenOptions { get; init; }
    /// <summary>The pause sampling window for a process.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);
    public double PauseThresholdMs { get; init; } = 200;
    public GcCaptureDumpMode CaptureDump { get; init; } = GcCaptureDumpMode.OnThreshold;
    /// <summary>Rows of each table in the report (top types, top collections, ...).</summary>
    public int Top { get; init; } = 20;
    /// <summary>How many of the largest collections get their root paths.</summary>
    public int RootPathCount { get; init; } = 3;
    public string OutputDirectory { get; init; } = "";
    /// <summary>Delete the dump this run captured once its parts are read (the report then has no DumpPath).</summary>
    public bool RemoveCapturedDump { get; init; }
    /// <summary>Overwrite a report already in the output directory.</summary>
    public bool Force { get; init; }
    public GraphBudget Budget { get; init; } = GraphBudget.Default;
    public string? ToolVersion { get; init; }
}
