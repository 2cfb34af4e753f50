using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// Every duration parameter of the module reads its argument through this: a TimeSpan, a number of seconds (20, and 20s, which
/// PowerShell reads as the number 20), or a string such as '30s', '5m', '1h30m' or '00:00:30' (<see cref="DurationParser"/>).
/// Without it PowerShell turns 20 into 20 ticks and '5' into five days; here both say what they were read as, or are refused.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class GcDurationAttribute : ArgumentTransformationAttribute
{
    /// <summary>0 is accepted and means "none" (for -Cooldown).</summary>
    public bool AllowZero { get; set; }

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject ps ? ps.BaseObject : inputData;
        if (value is null)
        {
            return null;
        }

        try
        {
            return DurationParser.Parse(value, AllowZero);
        }
        catch (DurationFormatException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
    }
}
