namespace GcTriage.Core;

/// <summary>
/// Where a breadth-first search went: each reached node's parent (the node it was first reached from), so that the path back to
/// a source is a walk up <see cref="ParentOf"/>; sources carry the tag they were given.
/// </summary>
public sealed class BreadthFirstResult
{
    private readonly int[] _parents;

    internal BreadthFirstResult(int[] parents, long visited, bool truncated)
    {
        _parents = parents;
        Visited = visited;
        Truncated = truncated;
    }

    /// <summary>Nodes taken from the queue and expanded.</summary>
    public long Visited { get; }

    /// <summary>The budget ran out before the search was complete.</summary>
    public bool Truncated { get; }

    /// <summary>The node <paramref name="node"/> was first reached from, or -1 for a source (or an unreached node).</summary>
    public int ParentOf(int node) => Math.Max(-1, _parents[node]);

    /// <summary>The tag of the source whose search tree holds <paramref name="node"/>, or -1 when it was not reached.</summary>
    public int SourceTagOf(int node)
    {
        int p = _parents[node];
        while (p >= 0)
        {
            node = p;
            p = _parents[node];
        }

        return p == GraphTraversal.Unvisited ? -1 : -2 - p;
    }
}
