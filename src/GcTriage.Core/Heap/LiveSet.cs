namespace GcTriage.Core;

/// <summary>How much heap-graph work a call may do (roots, retained sizes, -Live) before it stops and says Truncated.</summary>
/// <param name="MaxNodes">Objects visited at most.</param>
/// <param name="MaxTime">Wall time at most.</param>
public sealed record GraphBudget(long MaxNodes, TimeSpan MaxTime)
{
    public static GraphBudget Default { get; } = new(500_000_000, TimeSpan.FromMinutes(10));
}

/// <summary>
/// The objects reachable from the roots (stacks, handles, statics, the finalizer queue), as one bit per index position.
/// Truncated when the budget ran out: then unmarked objects may still be live, and the set is a lower bound.
/// </summary>
public sealed class LiveSet
{
    private readonly MarkResult _marks;

    private LiveSet(MarkResult marks) => _marks = marks;

    public long LiveCount => _marks.Marked;
    public bool Truncated => _marks.Truncated;

    public bool IsLive(long index) => index >= 0 && index < _marks.NodeCount && _marks.IsMarked((int)index);

    /// <summary>Marks from every root over the reference graph (dependent handles included, as edges primary to secondary).</summary>
    internal static LiveSet Mark(ReferenceGraph graph, RootSet roots, GraphBudget budget, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        var meter = new WorkMeter(budget, cancellationToken, progress, "Marking live objects", graph.NodeCount);
        return new LiveSet(GraphTraversal.Mark(graph, roots.Nodes, meter));
    }
}
