namespace GcTriage.Core;

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
