using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>String values held many times: count, wasted bytes, a field holding them; the value only with -IncludeValues.</summary>
[Cmdlet(VerbsCommon.Get, "GcDuplicateString", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcDuplicateString))]
public sealed class GetGcDuplicateStringCommand : DumpCmdlet
{
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; } = 100;

    /// <summary>Values held fewer times are left out (default 2).</summary>
    [Parameter]
    [ValidateRange(2, long.MaxValue)]
    public long MinCount { get; set; } = 2;

    /// <summary>Print each value. Dumps hold secrets (tokens, passwords, personal data): values are left out unless asked.</summary>
    [Parameter]
    public SwitchParameter IncludeValues { get; set; }

    /// <summary>Skip the search for a field holding each value (one more pass over objects with string fields).</summary>
    [Parameter]
    public SwitchParameter NoHoldingField { get; set; }

    protected override void ProcessDump(DumpSession session)
    {
        var query = new DuplicateStringQuery { Top = Top, MinCount = MinCount, IncludeValues = IncludeValues, HoldingField = !NoHoldingField };
        foreach (GcDuplicateString row in Run((ct, progress) => DuplicateStringFinder.Find(session, query, ct, progress)))
        {
            WriteObject(row);
        }
    }
}
