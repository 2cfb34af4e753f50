using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>References from older objects to younger ones by source type and field: the cards every gen0/gen1 GC must scan (SOS ephrefs).</summary>
[Cmdlet(VerbsCommon.Get, "GcCrossGenerationReference", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcCrossGenerationStat))]
public sealed class GetGcCrossGenerationReferenceCommand : DumpCmdlet
{
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    protected override void ProcessDump(DumpSession session)
    {
        IReadOnlyList<GcCrossGenerationStat> rows = Run((ct, progress) => CrossGenerationAnalyzer.Analyze(session, ct, progress));
        foreach (GcCrossGenerationStat row in Top > 0 ? rows.Take(Top) : rows)
        {
            WriteObject(row);
        }
    }
}
