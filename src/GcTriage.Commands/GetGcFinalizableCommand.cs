using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>Objects registered for finalization by type, and those ready for finalization: the finalizer thread's backlog (SOS finalizequeue).</summary>
[Cmdlet(VerbsCommon.Get, "GcFinalizable", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcFinalizableStat))]
public sealed class GetGcFinalizableCommand : DumpCmdlet
{
    /// <summary>Only objects ready for finalization (unreachable, waiting for the finalizer thread).</summary>
    [Parameter]
    public SwitchParameter ReadyOnly { get; set; }

    /// <summary>One row with the totals over every type instead of one per type.</summary>
    [Parameter]
    public SwitchParameter Total { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    protected override void ProcessDump(DumpSession session)
    {
        IReadOnlyList<GcFinalizableStat> rows = Run((ct, progress) => FinalizableAnalyzer.GetStats(session, ReadyOnly, ct, progress));
        GcFinalizableStat total = FinalizableAnalyzer.Total(rows, session.Path);
        if (total.ReadyForFinalization > 0)
        {
            WriteWarning($"{total.ReadyForFinalization:N0} objects ({total.ReadyBytes:N0} bytes) are ready for finalization and wait for the finalizer thread: a finalizer that blocks or runs slowly keeps them, and everything they reference, on the heap.");
        }

        if (Total)
        {
            WriteObject(total);
            return;
        }

        foreach (GcFinalizableStat row in Top > 0 ? rows.Take(Top) : rows)
        {
            WriteObject(row);
        }
    }
}
