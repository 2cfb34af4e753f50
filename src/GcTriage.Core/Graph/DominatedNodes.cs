namespace GcTriage.Core;

/// <summary>
/// The nodes of a <see cref="DominatorTree"/> grouped by their dominator, as compressed rows (the virtual root's row is the
/// last): 4 bytes of offset and 4 of node per tree node. Built in two passes over the dominators, without a fill array.
/// </summary>
public sealed class DominatedNodes
{
    private readonly DominatorTree _tree;
    private readonly int[] _offsets;
    private readonly int[] _nodes;

    private DominatedNodes(DominatorTree tree, int[] offsets, int[] nodes)
    {
        _tree = tree;
        _offsets = offsets;
        _nodes = nodes;
    }

    public long MemoryBytes => 4L * (_offsets.Length + _nodes.Length);

    /// <summary>The nodes <paramref name="node"/> dominates directly, in node order.</summary>
    public ReadOnlySpan<int> Of(int node)
    {
        int row = node == DominatorTree.VirtualRoot ? _offsets.Length - 2 : node;
        return _nodes.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);
    }

    /// <summary>As <see cref="DominatorTree.Dominated"/>: largest retained bytes first, ties by node.</summary>
    public int[] Sorted(int node)
    {
        int[] result = Of(node).ToArray();
        Array.Sort(result, _tree.CompareByRetainedDescending);
        return result;
    }

    internal static DominatedNodes Group(DominatorTree tree, int[] dominator, CancellationToken cancellationToken)
    {
        int n = dominator.Length;

        // offsets[row + 1] counts the row, then the sums make offsets[row + 1] the row's end; filling each node at
        // --offsets[row + 1] walks every row's end back to its start, which is the previous row's end: offsets[row].
        var offsets = new int[n + 2];
        int reachable = 0;
        for (int node = 0; node < n; node++)
        {
            int d = dominator[node];
            if (d != DominatorTree.Unreachable)
            {
                offsets[(d == DominatorTree.VirtualRoot ? n : d) + 1]++;
                reachable++;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        for (int i = 0; i <= n; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        var nodes = new int[reachable];
        for (int node = n - 1; node >= 0; node--)
        {
            int d = dominator[node];
            if (d != DominatorTree.Unreachable)
            {
                nodes[--offsets[(d == DominatorTree.VirtualRoot ? n : d) + 1]] = node;
            }
        }

        // Each row's end now sits at its start; shift the offsets down by one row.
        Array.Copy(offsets, 1, offsets, 0, n + 1);
        offsets[n + 1] = reachable;
        return new DominatedNodes(tree, offsets, nodes);
    }
}
