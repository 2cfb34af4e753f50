using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// Watches a live process and reacts to each GC whose pause is at least -ThresholdMs: runs -Action and/or captures a dump
/// (rate-limited by -MaxCaptures and -Cooldown, skipped above -MaxHeapBytes). Emits each crossing pause with what was captured.
/// </summary>
[Cmdlet(VerbsCommon.Watch, "GcPause", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(GcPause))]
public sealed class WatchGcPauseCommand : PauseCmdlet
{
    private int _captures;
    private DateTime? _lastCapture;
    private System.Diagnostics.Stopwatch? _watch;
    private bool _actionCutWarned;
    private bool _durationOver;
    private readonly CaptureLog _captureLog = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public int ProcessId { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateRange(0, double.MaxValue)]
    public double ThresholdMs { get; set; }

    /// <summary>Runs on the pipeline thread for each crossing pause; the pause is $_ and the first argument.</summary>
    [Parameter]
    public ScriptBlock? Action { get; set; }

    /// <summary>Folder to write dumps into (gcpause_&lt;pid&gt;_&lt;gc number&gt;_&lt;UTC time&gt;.dmp).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CaptureDump { get; set; }

    [Parameter]
    public GcDumpType DumpType { get; set; } = GcDumpType.Heap;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxCaptures { get; set; } = 1;

    [Parameter]
    [GcDuration(AllowZero = true)]
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>No dump when the heap after the GC is larger than this (0: no limit).</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MaxHeapBytes { get; set; }

    [Parameter]
    [GcDuration]
    public TimeSpan? Duration { get; set; }

    protected override void ProcessRecord()
    {
        string? folder = null;
        if (CaptureDump is not null)
        {
            folder = GetUnresolvedProviderPathFromPSPath(CaptureDump);
            if (!Directory.Exists(folder))
            {
                ThrowGcError(new GcTriageException(ErrorCatalog.DumpFolderNotFound, GcErrorKind.ObjectNotFound, $"The folder '{folder}' does not exist.", folder), folder);
            }

            try
            {
                OwnerOnlyFile.CheckFolder(folder); // each capture checks it again; this refuses a folder others control before watching
            }
            catch (GcTriageException e)
            {
                ThrowGcError(e, folder);
            }

            if (!ShouldProcess($"process {ProcessId}", $"Write up to {MaxCaptures} {DumpType} dump(s) into {folder} after pauses of {ThresholdMs} ms or more"))
            {
                return;
            }
        }

        _watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            ReadPauses(ProcessId, Duration, null, null, false, p => p.PauseMs >= ThresholdMs, p => React(p, folder), _captureLog);
        }
        catch (GcTriageException e)
        {
            WriteGcError(e, ProcessId);
        }
    }

    private void React(GcPause pause, string? folder)
    {
        if (pause.OverlapsCapture)
        {
            // Its pause holds our own dump's freeze: no action, no capture (a dump would otherwise set off the next one).
            WriteVerbose($"GC {pause.Number} paused {pause.PauseMs:0.###} ms while the process was frozen for {pause.OverlappedCapture}: not acted on.");
            pause.CaptureStatus = "SkippedOverlapsCapture";
            WriteObject(pause);
            return;
        }

        var status = new List<string>();
        if (Action is not null)
        {
            status.Add(RunAction(Action, pause));
        }

        if (folder is not null)
        {
            status.Add(Capture(pause, folder));
        }

        pause.CaptureStatus = status.Count == 0 ? "None" : string.Join(",", status);
        WriteObject(pause);
    }

    /// <summary>
    /// Runs -Action for one pause in a nested pipeline of this runspace, so that it can be stopped on its own: at the end of
    /// -Duration (with a warning: -Duration bounds the whole watch, actions included) or on Ctrl+C. Its errors and warnings are
    /// passed on; past -Duration no further action starts.
    /// </summary>
    private string RunAction(ScriptBlock action, GcPause pause)
    {
        TimeSpan left = Duration is TimeSpan d && _watch is not null ? d - _watch.Elapsed : Timeout.InfiniteTimeSpan;
        if (Duration is not null && (left <= TimeSpan.Zero || _durationOver))
        {
            WarnCut($"-Duration {Duration} is over: -Action was not run for GC {pause.Number} and later ones.");
            return "ActionSkipped";
        }

        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddScript("param($action, $pause) $action.InvokeWithContext($null, [System.Collections.Generic.List[psvariable]]@([psvariable]::new('_', $pause), [psvariable]::new('PSItem', $pause)), $pause)", useLocalScope: true)
            .AddArgument(action).AddArgument(pause);
        int cut = 0;
        void Stop(int why)
        {
            if (Interlocked.CompareExchange(ref cut, why, 0) == 0)
            {
                ps.BeginStop(null, null);
            }
        }

        using var timer = left == Timeout.InfiniteTimeSpan ? null : new Timer(_ => Stop(1), null, left, Timeout.InfiniteTimeSpan);
        using CancellationTokenRegistration reg = CancellationToken.Register(() => Stop(2));
        string result = "ActionRun";
        try
        {
            ps.Invoke();
        }
        catch (PipelineStoppedException)
        {
            result = "ActionStopped";
        }
        catch (RuntimeException e)
        {
            RuntimeException inner = e.InnerException as RuntimeException ?? e;
            WriteError(new ErrorRecord(inner.ErrorRecord, inner));
            result = "ActionFailed";
        }

        foreach (ErrorRecord error in ps.Streams.Error)
        {
            WriteError(error);
        }

        foreach (WarningRecord warning in ps.Streams.Warning)
        {
            WriteWarning(warning.Message);
        }

        if (Volatile.Read(ref cut) == 1 || ps.InvocationStateInfo.State == PSInvocationState.Stopped && !CancellationToken.IsCancellationRequested)
        {
            // The deadline's timer and the watch's clock differ by a tick: once it cut an action, -Duration is over for the next ones.
            _durationOver = true;
            WarnCut($"-Action for GC {pause.Number} was stopped: -Duration {Duration} ended while it ran.");
            return "ActionStopped";
        }

        return result;
    }

    private void WarnCut(string message)
    {
        if (!_actionCutWarned)
        {
            _actionCutWarned = true;
            WriteWarning(message);
        }
    }

    private string Capture(GcPause pause, string folder)
    {
        if (_captures >= MaxCaptures)
        {
            return "SkippedMaxCaptures";
        }

        DateTime now = DateTime.UtcNow;
        if (_lastCapture is DateTime last && now - last < Cooldown)
        {
            return "SkippedCooldown";
        }

        if (MaxHeapBytes > 0 && pause.HeapAfterBytes > MaxHeapBytes)
        {
            WriteWarning($"GC {pause.Number} paused {pause.PauseMs:0.###} ms but no dump was taken: the heap is {pause.HeapAfterBytes:N0} bytes, above -MaxHeapBytes {MaxHeapBytes:N0}.");
            return "SkippedHeapTooLarge";
        }

        string path = Path.Combine(folder, $"gcpause_{ProcessId}_{pause.Number}_{now:yyyyMMdd_HHmmss}.dmp");
        try
        {
            WriteVerbose($"GC {pause.Number} paused {pause.PauseMs:0.###} ms: writing a {DumpType} dump to {path}");
            FileInfo file;
            using (_captureLog.Begin(path))
            {
                file = DumpWriter.Write(ProcessId, path, DumpType, force: false, CancellationToken);
            }

            _captures++;
            _lastCapture = now;
            pause.CapturedDumpPath = file.FullName;
            return "DumpCaptured";
        }
        catch (GcTriageException e)
        {
            WriteGcError(e, path);
            return "CaptureFailed";
        }
    }
}
