using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// Leak suspects (Eclipse MAT's Leak Suspects report): objects, and types with many top-level instances, that retain at least a
/// share of the reachable heap, with the accumulation point where the bytes pile up and the chain from the root down to it.
/// </summary>
[Cmdlet(VerbsCommon.Get, "GcLeakSuspect", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcLeakSuspect))]
public sealed class GetGcLeakSuspectCommand : DumpCmdlet
{
    /// <summary>The least share of the reachable heap a suspect retains (default 0.10).</summary>
    [Parameter]
    [ValidateRange(0.0001, 1.0)]
    public double MinShare { get; set; } = LeakSuspectFinder.DefaultMinShare;

    protected override void ProcessDump(DumpSession session)
    {
        foreach (GcLeakSuspect suspect in Run((ct, progress) => RetainedQueries.GetLeakSuspects(session, MinShare, ct, progress)))
        {
            WriteObject(suspect);
        }
    }
}
