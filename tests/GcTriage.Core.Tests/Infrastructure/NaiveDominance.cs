namespace GcTriage.Core.Tests;

/// <summary>
/// Dominance by its definition, for checking the dominator tree: the nodes <c>o</c> retains are those reachable from the roots
/// that stop being reachable when <c>o</c> is removed; <c>o</c>'s immediate dominator is the strict dominator retaining the least.
/// Quadratic: small graphs only.
/// </summary>
public sealed class NaiveDominance
{
    private readonly bool[][] _retains;

    public NaiveDominance(IDirectedGraph graph, IReadOnlyList<int> roots, Func<int, long> size)
    {
        int n = graph.NodeCount;
        Reachable = Mark(graph, roots, excluded: -1);
        _retains = new bool[n][];
        RetainedBytes = new long[n];
        RetainedCount = new int[n];
        for (int o = 0; o < n; o++)
        {
            _retains[o] = new bool[n];
            if (!Reachable[o])
            {
                continue;
            }

            bool[] without = Mark(graph, roots, excluded: o);
            for (int v = 0; v < n; v++)
            {
                if (Reachable[v] && !without[v])
                {
                    _retains[o][v] = true;
                    RetainedBytes[o] += size(v);
                    RetainedCount[o]++;
                }
            }
        }
    }

    public bool[] Reachable { get; }
    public long[] RetainedBytes { get; }
    public int[] RetainedCount { get; }

    /// <summary>The immediate dominator by definition: a node, DominatorTree.VirtualRoot or DominatorTree.Unreachable.</summary>
    public int Dominator(int node)
    {
        if (!Reachable[node])
        {
            return DominatorTree.Unreachable;
        }

        int best = DominatorTree.VirtualRoot;
        for (int d = 0; d < _retains.Length; d++)
        {
            if (d != node && _retains[d][node] && (best < 0 || RetainedCount[d] < RetainedCount[best]))
            {
                best = d;
            }
        }

        return best;
    }

    /// <summary>The nodes reachable from <paramref name="roots"/> without passing through <paramref name="excluded"/> (-1: none).</summary>
    public static bool[] Mark(IDirectedGraph graph, IReadOnlyList<int> roots, int excluded)
    {
        var marked = new bool[graph.NodeCount];
        var stack = new Stack<int>();
        foreach (int root in roots)
        {
            if (root != excluded && !marked[root])
            {
                marked[root] = true;
                stack.Push(root);
            }
        }

        while (stack.Count > 0)
        {
            foreach (int next in graph.Successors(stack.Pop()))
            {
                if (next != excluded && !marked[next])
                {
                    marked[next] = true;
                    stack.Push(next);
                }
            }
        }

        return marked;
    }
}
