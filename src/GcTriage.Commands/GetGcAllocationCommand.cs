using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>Who allocates: allocation ticks per type over a window (or from a trace), optionally with stacks and a folded-stack file.</summary>
[Cmdlet(VerbsCommon.Get, "GcAllocation", DefaultParameterSetName = ProcessSet, SupportsShouldProcess = true)]
[OutputType(typeof(GcAllocationStat))]
public sealed class GetGcAllocationCommand : GcTriageCmdlet
{
    public const string ProcessSet = "ProcessId";
    public const string TraceSet = "TracePath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ProcessSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public int ProcessId { get; set; }

    /// <summary>Length of the sampling window (default 10 seconds).</summary>
    [Parameter(ParameterSetName = ProcessSet)]
    [GcDuration]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(10);

    [Parameter(Mandatory = true, ParameterSetName = TraceSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string TracePath { get; set; } = "";

    [Parameter]
    public SwitchParameter IncludeStack { get; set; }

    /// <summary>Writes the samples' stacks as folded stacks (implies -IncludeStack).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FoldedStackPath { get; set; }

    /// <summary>Keeps the raw .nettrace of the live session (for -TracePath later, or PerfView).</summary>
    [Parameter(ParameterSetName = ProcessSet)]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>
    /// Share of the window a live session without stacks listens (default 0.5: attached 1 s of every 2 s). Each allocation tick
    /// costs the target the same, so listening half the time halves what sampling costs it; 1 listens throughout. -IncludeStack
    /// and -OutFile always listen throughout (one trace).
    /// </summary>
    [Parameter(ParameterSetName = ProcessSet)]
    [ValidateRange(0.05, 1.0)]
    public double DutyCycle { get; set; } = AllocationOptions.DefaultDutyCycle;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string? folded = FoldedStackPath is null ? null : GetUnresolvedProviderPathFromPSPath(FoldedStackPath);
        string? outFile = OutFile is null ? null : GetUnresolvedProviderPathFromPSPath(OutFile);
        foreach (var (file, what) in new[] { (folded, "Write folded allocation stacks"), (outFile, "Write the raw allocation trace") })
        {
            if (file is null)
            {
                continue;
            }

            if (!ShouldProcess(file, what))
            {
                return;
            }

            if (File.Exists(file) && !Force)
            {
                WriteGcError(new FileExistsException(file), file);
                return;
            }
        }

        var options = new AllocationOptions
        {
            Duration = Duration,
            IncludeStack = IncludeStack || folded is not null,
            FoldedStackPath = folded,
            OutFile = outFile,
            Force = Force,
            Top = Top > 0 ? Top : null,
            DutyCycle = DutyCycle,
        };
        if (MyInvocation.BoundParameters.ContainsKey(nameof(DutyCycle)) && DutyCycle < 1 && (options.IncludeStack || outFile is not null))
        {
            WriteWarning("-DutyCycle applies to a session without stacks and without -OutFile; this one listens throughout.");
        }

        object target = ParameterSetName == TraceSet ? TracePath : ProcessId;
        AllocationResult result;
        try
        {
            if (ParameterSetName == TraceSet)
            {
                string path = GetUnresolvedProviderPathFromPSPath(TracePath);
                target = path;
                result = Run((ct, progress) => new AllocationSampler().ReadTrace(path, options, ct, progress));
            }
            else
            {
                int pid = ProcessId;
                result = Run((ct, progress) => new AllocationSampler().SampleProcess(pid, options, ct, progress));
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (GcTriageException e)
        {
            WriteGcError(e, target);
            return;
        }

        if (result.TargetExited)
        {
            WriteWarning($"Process {ProcessId} exited {result.DurationSeconds:0.0} s into the window; the allocations seen until then are reported.");
        }

        if (result.TotalSamples == 0)
        {
            WriteWarning($"No allocation ticks were seen{(ParameterSetName == TraceSet ? " in the trace (was it recorded with the GC keyword at Verbose level?)" : " in the window")}.");
        }

        if (result.FoldedStackPath is not null)
        {
            WriteVerbose($"Wrote {result.FoldedLines} folded stacks to {result.FoldedStackPath}.");
        }

        foreach (GcAllocationStat stat in result.Stats)
        {
            WriteObject(stat);
        }
    }
}
