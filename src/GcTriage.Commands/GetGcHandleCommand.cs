using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>GC handles by kind and target type (SOS gchandles -stat), or each handle with its target (-Detail).</summary>
[Cmdlet(VerbsCommon.Get, "GcHandle", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcHandleStat), typeof(GcHandleInfo))]
public sealed class GetGcHandleCommand : DumpCmdlet
{
    [Parameter]
    public GcHandleKind[]? Kind { get; set; }

    /// <summary>Only handles whose target type matches (wildcards).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? TypeName { get; set; }

    /// <summary>Each handle (GcHandleInfo) instead of counts by kind and type.</summary>
    [Parameter]
    public SwitchParameter Detail { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    protected override void ProcessDump(DumpSession session)
    {
        var query = new HandleQuery { Kind = Kind ?? Array.Empty<GcHandleKind>(), TypeName = TypeName ?? Array.Empty<string>() };
        if (Detail)
        {
            int limit = Top > 0 ? Top : int.MaxValue;
            Pump<GcHandleInfo>((ct, emit, progress) =>
            {
                foreach (GcHandleInfo h in HandleAnalyzer.GetHandles(session, query, ct, progress).Take(limit))
                {
                    emit(h);
                }
            });
            return;
        }

        IReadOnlyList<GcHandleStat> rows = Run((ct, progress) => HandleAnalyzer.GetStats(session, query, ct, progress));
        foreach (GcHandleStat row in Top > 0 ? rows.Take(Top) : rows)
        {
            WriteObject(row);
        }
    }
}
