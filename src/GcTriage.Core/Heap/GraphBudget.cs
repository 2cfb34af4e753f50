namespace GcTriage.Core;

/// <summary>How much heap-graph work a call may do (roots, retained sizes, -Live) before it stops and says Truncated.</summary>
/// <param name="MaxNodes">Objects visited at most.</param>
/// <param name="MaxTime">Wall time at most.</param>
public sealed record GraphBudget(long MaxNodes, TimeSpan MaxTime)
{
    public static GraphBudget Default { get; } = new(500_000_000, TimeSpan.FromMinutes(10));
}
