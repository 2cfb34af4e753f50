using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>Free space between survivors per generation, or per segment/region, with the largest free blocks and the pinned objects after them.</summary>
[Cmdlet(VerbsCommon.Get, "GcFragmentation", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcFragmentation))]
public sealed class GetGcFragmentationCommand : DumpCmdlet
{
    [Parameter]
    public GcGeneration[]? Generation { get; set; }

    /// <summary>One row per segment/region instead of one per generation.</summary>
    [Parameter]
    public SwitchParameter BySegment { get; set; }

    /// <summary>Free blocks listed per row (default 5).</summary>
    [Parameter]
    [ValidateRange(0, 1000)]
    public int LargestFreeBlocks { get; set; } = FragmentationAnalyzer.DefaultLargestFreeBlocks;

    protected override void ProcessDump(DumpSession session)
    {
        var query = new FragmentationQuery
        {
            Generation = Generation ?? Array.Empty<GcGeneration>(),
            BySegment = BySegment,
            LargestFreeBlocks = LargestFreeBlocks,
        };
        foreach (GcFragmentation row in Run((ct, progress) => FragmentationAnalyzer.Analyze(session, query, ct, progress)))
        {
            WriteObject(row);
        }
    }
}
