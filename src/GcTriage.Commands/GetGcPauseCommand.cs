using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>Every GC of a live process (EventPipe) or of a .nettrace file, as a GcTriage.GcPause object, streamed as each GC ends.</summary>
[Cmdlet(VerbsCommon.Get, "GcPause", DefaultParameterSetName = ProcessSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(GcPause))]
public sealed class GetGcPauseCommand : PauseCmdlet
{
    public const string ProcessSet = "Process";
    public const string TraceSet = "Trace";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ProcessSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public int ProcessId { get; set; }

    /// <summary>How long to watch; until Ctrl+C (or the target's exit) when omitted.</summary>
    [Parameter(ParameterSetName = ProcessSet)]
    [GcDuration]
    public TimeSpan? Duration { get; set; }

    /// <summary>Keep the raw .nettrace of the live session here (owner-only file).</summary>
    [Parameter(ParameterSetName = ProcessSet)]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    [Parameter(ParameterSetName = ProcessSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>A .nettrace file written by this module or by dotnet-trace.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = TraceSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string TracePath { get; set; } = "";

    protected override void ProcessRecord()
    {
        bool trace = ParameterSetName == TraceSet;
        string? path = trace ? GetUnresolvedProviderPathFromPSPath(TracePath) : null;
        string? outFile = OutFile is null ? null : GetUnresolvedProviderPathFromPSPath(OutFile);
        if (outFile is not null && !ShouldProcess(outFile, $"Write the raw EventPipe trace of process {ProcessId}"))
        {
            return;
        }

        try
        {
            if (outFile is not null)
            {
                OwnerOnlyFile.CheckWritable(outFile, Force); // a link, a FIFO, a file without -Force: refused before any session starts
            }

            ReadPauses(trace ? null : ProcessId, Duration, path, outFile, Force, _ => true, WriteObject);
        }
        catch (GcTriageException e)
        {
            WriteGcError(e, trace ? path : ProcessId);
        }
    }
}
