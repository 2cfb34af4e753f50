using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// The objects that retain the most (the bytes freed if each were gone, from the dump's exact dominator tree), or what given
/// objects retain (-Address), or the retained bytes of each type's top-most instances (-GroupBy Type, MAT's top consumers).
/// </summary>
[Cmdlet(VerbsCommon.Get, "GcRetained", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcRetainedInfo), typeof(GcRetainedTypeStat))]
public sealed class GetGcRetainedCommand : DumpCmdlet
{
    public const int DefaultTop = 20;

    /// <summary>Objects (or types, with -GroupBy Type) at most, largest retained first (default 20).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; } = DefaultTop;

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? TypeName { get; set; }

    /// <summary>Type: one row per type, the retained bytes of its instances that no instance of the same type dominates.</summary>
    [Parameter]
    [ValidateSet("Type")]
    public string? GroupBy { get; set; }

    /// <summary>What these objects retain; binds Address from Get-GcObject, Get-GcDictionary, Get-GcDominator.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public ulong[]? Address { get; set; }

    protected override void ProcessDump(DumpSession session)
    {
        if (Address is { Length: > 0 })
        {
            foreach (ulong address in Address)
            {
                if (TryRunAt(address, (ct, progress) => RetainedQueries.GetRetained(session, address, ct, progress), out var retained))
                {
                    WriteObject(retained);
                }
            }

            return;
        }

        string[] types = TypeName ?? Array.Empty<string>();
        if (GroupBy is not null)
        {
            foreach (GcRetainedTypeStat row in Run((ct, progress) => RetainedQueries.GetRetainedByType(session, types, ct, progress)).Take(Top))
            {
                WriteObject(row);
            }

            return;
        }

        foreach (GcRetainedInfo row in Run((ct, progress) => RetainedQueries.GetTopRetained(session, types, Top, ct, progress)))
        {
            WriteObject(row);
        }
    }
}
