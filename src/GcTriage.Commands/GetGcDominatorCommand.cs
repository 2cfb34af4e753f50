using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>The objects an object dominates directly (reachable only through it), largest retained first: one step down the dominator tree.</summary>
[Cmdlet(VerbsCommon.Get, "GcDominator", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcRetainedInfo))]
public sealed class GetGcDominatorCommand : DumpCmdlet
{
    /// <summary>The objects to descend from; binds Address from Get-GcRetained, Get-GcLeakSuspect, Get-GcObject, Get-GcDictionary.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public ulong[] Address { get; set; } = Array.Empty<ulong>();

    /// <summary>Dominated objects per address at most (default 20).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; } = GetGcRetainedCommand.DefaultTop;

    protected override void ProcessDump(DumpSession session)
    {
        foreach (ulong address in Address)
        {
            if (!TryRunAt(address, (ct, progress) => RetainedQueries.GetDominated(session, address, Top, ct, progress), out var rows))
            {
                continue;
            }

            foreach (GcRetainedInfo row in rows)
            {
                WriteObject(row);
            }
        }
    }
}
