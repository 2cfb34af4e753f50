using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>What the mark phase must trace, by type: live objects and the references they hold, per generation.</summary>
[Cmdlet(VerbsCommon.Get, "GcMarkCost", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcMarkCostStat))]
public sealed class GetGcMarkCostCommand : DumpCmdlet
{
    [Parameter]
    public GcGeneration[]? Generation { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    /// <summary>Time budget for live marking; when it runs out, rows say Truncated.</summary>
    [Parameter]
    [GcDuration]
    public TimeSpan Timeout { get; set; } = GraphBudget.Default.MaxTime;

    protected override void ProcessDump(DumpSession session)
    {
        var query = new MarkCostQuery { Generation = Generation ?? Array.Empty<GcGeneration>(), Budget = GraphBudget.Default with { MaxTime = Timeout } };
        IReadOnlyList<GcMarkCostStat> rows = Run((ct, progress) => MarkCostAnalyzer.Analyze(session, query, ct, progress));
        if (rows.Count > 0 && rows[0].Truncated)
        {
            WriteWarning($"Live marking ran out of its budget ({Timeout}); figures are lower bounds (Truncated = True).");
        }

        foreach (GcMarkCostStat row in Top > 0 ? rows.Take(Top) : rows)
        {
            WriteObject(row);
        }
    }
}
