namespace GcTriage.Core;

/// <summary>
/// A directed graph over nodes 0..NodeCount-1 whose successors are read as spans: the reference graph of a dump (node i is the
/// heap index's position i) and the small graphs the tests build by hand. The dominator tree and every traversal take this.
/// </summary>
public interface IDirectedGraph
{
    int NodeCount { get; }

    /// <summary>The nodes <paramref name="node"/> refers to (duplicates possible, order unspecified).</summary>
    ReadOnlySpan<int> Successors(int node);
}
