namespace GcTriage.Core;

/// <summary>
/// The exact dominator tree of a graph seen from a set of roots, with a virtual root above all of them, and the retained
/// bytes and object count of every node: what would become unreachable if that node were gone. Built by Semi-NCA
/// (Lengauer-Tarjan's semidominators, then each immediate dominator as the nearest common ancestor of its DFS parent and its
/// semidominator), iterative throughout so that chains of any depth fit. It keeps 14 bytes per node (dominator 4, retained
/// bytes in 48 bits 6, retained count 4); every build array is dropped before <see cref="Build"/> returns. Unreachable nodes
/// have no dominator and retain nothing.
/// </summary>
public sealed class DominatorTree
{
    /// <summary>The dominator of a node that only the virtual root (the roots as a whole) dominates: a top dominator.</summary>
    public const int VirtualRoot = -1;

    /// <summary>The dominator of a node no root reaches.</summary>
    public const int Unreachable = -2;

    private const int None = -1;

    /// <summary>Retained bytes are kept in 48 bits (256 TB), as a low uint and a high ushort.</summary>
    private const long MaxRetainedBytes = (1L << 48) - 1;

    private readonly int[] _dominator;
    private readonly RetainedBytesArray _retainedBytes;
    private readonly int[] _retainedCount;

    private DominatorTree(int[] dominator, RetainedBytesArray retainedBytes, int[] retainedCount, long reachableBytes, int reachableCount)
    {
        _dominator = dominator;
        _retainedBytes = retainedBytes;
        _retainedCount = retainedCount;
        ReachableBytes = reachableBytes;
        ReachableCount = reachableCount;
    }

    public int NodeCount => _dominator.Length;

    /// <summary>Bytes of every node the roots reach: the retained size of the virtual root, the whole of the live heap.</summary>
    public long ReachableBytes { get; }

    /// <summary>Nodes the roots reach.</summary>
    public int ReachableCount { get; }

    /// <summary>
    /// What this tree keeps in memory: 14 bytes per node. A grouping by dominator (<see cref="GroupDominated"/>, 8 bytes per node)
    /// lives only as long as the command that asked for it.
    /// </summary>
    public long MemoryBytes => 14L * NodeCount;

    public bool IsReachable(int node) => _dominator[node] != Unreachable;

    /// <summary>The immediate dominator of <paramref name="node"/>: a node, <see cref="VirtualRoot"/> or <see cref="Unreachable"/>.</summary>
    public int Dominator(int node) => _dominator[node];

    /// <summary>Bytes freed if <paramref name="node"/> were unreachable: its own and those of every node it dominates.</summary>
    public long RetainedBytes(int node) => _retainedBytes.Get(node);

    /// <summary>Nodes freed if <paramref name="node"/> were unreachable, itself included (0 when unreachable).</summary>
    public int RetainedCount(int node) => _retainedCount[node];

    /// <summary>
    /// The nodes <paramref name="node"/> dominates directly (<see cref="VirtualRoot"/> for the top dominators), largest retained
    /// bytes first, ties by node. One vectorised scan of the dominators, so nothing is kept; a command that descends many nodes
    /// groups them once with <see cref="GroupDominated"/> instead.
    /// </summary>
    public int[] Dominated(int node)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(node, VirtualRoot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(node, NodeCount);
        var result = new List<int>();
        ReadOnlySpan<int> dominators = _dominator;
        int from = 0;
        while (true)
        {
            int k = dominators[from..].IndexOf(node);
            if (k < 0)
            {
                break;
            }

            result.Add(from + k);
            from += k + 1;
        }

        int[] sorted = result.ToArray();
        Array.Sort(sorted, CompareByRetainedDescending);
        return sorted;
    }

    /// <summary>
    /// Every node grouped by its dominator (compressed rows, 8 bytes per node), for commands that descend many nodes: the caller
    /// keeps it for the length of its work and lets it go, so that a session at rest holds only the tree's 14 bytes per node.
    /// </summary>
    public DominatedNodes GroupDominated(CancellationToken cancellationToken = default) => DominatedNodes.Group(this, _dominator, cancellationToken);

    /// <summary>The chain of dominators from a top dominator down to <paramref name="node"/> (empty when unreachable).</summary>
    public int[] DominatorPath(int node)
    {
        var path = new List<int>();
        for (int current = node; current >= 0; current = _dominator[current])
        {
            path.Add(current);
        }

        if (_dominator[node] == Unreachable)
        {
            return [];
        }

        path.Reverse();
        return path.ToArray();
    }

    /// <summary>
    /// Visits the dominator tree depth first from the virtual root: <paramref name="enter"/> before a node's dominated nodes,
    /// <paramref name="leave"/> after them. Iterative, so any depth fits.
    /// </summary>
    public void Walk(Action<int> enter, Action<int> leave, CancellationToken cancellationToken = default)
    {
        DominatedNodes children = GroupDominated(cancellationToken);
        var nodes = new Stack<(int Node, int Next)>();
        ReadOnlySpan<int> top = children.Of(VirtualRoot);
        for (int i = top.Length - 1; i >= 0; i--)
        {
            nodes.Push((top[i], -1));
        }

        long steps = 0;
        while (nodes.Count > 0)
        {
            (int node, int next) = nodes.Pop();
            if (next < 0)
            {
                enter(node);
                next = 0;
            }

            ReadOnlySpan<int> below = children.Of(node);
            if (next < below.Length)
            {
                nodes.Push((node, next + 1));
                nodes.Push((below[next], -1));
            }
            else
            {
                leave(node);
            }

            if ((++steps & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>
    /// Builds the tree of every node reachable from <paramref name="roots"/> in <paramref name="graph"/>. Never truncated:
    /// cancellation throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="nodeSize">The bytes of one node, asked once for each reachable node (in reverse DFS order).</param>
    public static DominatorTree Build(IDirectedGraph graph, ReadOnlySpan<int> roots, Func<int, long> nodeSize,
        CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(nodeSize);
        return Build(graph, roots, nodeSize, null, cancellationToken, progress);
    }

    /// <summary>
    /// As <see cref="Build(IDirectedGraph, ReadOnlySpan{int}, Func{int, long}, CancellationToken, IProgress{GcProgress})"/>, with
    /// the sizes pushed by the caller: <paramref name="forEachNodeSize"/> calls its argument once for every node with that node's
    /// bytes, in any order (node order reads a heap index sequentially, where asking node by node would search it each time).
    /// </summary>
    public static DominatorTree Build(IDirectedGraph graph, ReadOnlySpan<int> roots, Action<Action<int, long>> forEachNodeSize,
        CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(forEachNodeSize);
        return Build(graph, roots, null, forEachNodeSize, cancellationToken, progress);
    }

    private static DominatorTree Build(IDirectedGraph graph, ReadOnlySpan<int> roots, Func<int, long>? nodeSize,
        Action<Action<int, long>>? forEachNodeSize, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(graph);
        int nodeCount = graph.NodeCount;
        var meter = new WorkMeter(new GraphBudget(long.MaxValue, TimeSpan.MaxValue), cancellationToken, progress,
            "Dominators: depth-first numbering", expected: 5L * nodeCount);

        var builder = new Builder(graph, meter);
        builder.Number(roots);
        builder.BuildPredecessors(roots);
        builder.ComputeSemidominators();
        int[] idom = builder.ComputeDominators();
        return builder.Finish(idom, nodeSize, forEachNodeSize);
    }

    internal int CompareByRetainedDescending(int a, int b)
    {
        int bySize = _retainedBytes.Get(b).CompareTo(_retainedBytes.Get(a));
        return bySize != 0 ? bySize : a.CompareTo(b);
    }

    /// <summary>Retained bytes per node in 48 bits: 6 bytes a node instead of 8.</summary>
    private readonly struct RetainedBytesArray
    {
        private readonly uint[] _low;
        private readonly ushort[] _high;

        public RetainedBytesArray(int count)
        {
            _low = new uint[count];
            _high = new ushort[count];
        }

        public long Get(int node) => ((long)_high[node] << 32) | _low[node];

        public void Set(int node, long bytes)
        {
            if ((ulong)bytes > MaxRetainedBytes)
            {
                throw new InvalidOperationException($"A retained size of {bytes:N0} bytes is beyond the 48 bits kept per object.");
            }

            _low[node] = (uint)bytes;
            _high[node] = (ushort)(bytes >> 32);
        }
    }

    /// <summary>
    /// The build state, by DFS preorder number (0 is the virtual root): every array here is dropped when the tree is done.
    /// </summary>
    private sealed class Builder
    {
        private readonly IDirectedGraph _graph;
        private readonly WorkMeter _meter;
        private int[] _preorder;   // node -> preorder number, or None when unreachable
        private int[] _vertex = []; // preorder number -> node (slot 0, the virtual root, holds None)
        private int[] _parent = []; // preorder number -> its DFS parent's
        private int[] _semi = [];
        private int[] _label = [];
        private int[] _ancestor = [];
        private int[] _predecessorOffsets = [];
        private int[] _predecessors = [];
        private int _count;

        public Builder(IDirectedGraph graph, WorkMeter meter)
        {
            _graph = graph;
            _meter = meter;
            _preorder = new int[graph.NodeCount];
            Array.Fill(_preorder, None);
        }

        /// <summary>Numbers every reachable node in depth-first preorder from the virtual root, with an explicit stack.</summary>
        public void Number(ReadOnlySpan<int> roots)
        {
            int n = _graph.NodeCount;
            var vertex = new int[n + 1];
            var parent = new int[n + 1];
            vertex[0] = None;
            parent[0] = None;
            int count = 1;
            var stackNode = new int[64];
            var stackNext = new int[64];
            foreach (int root in roots)
            {
                if ((uint)root >= (uint)n)
                {
                    throw new ArgumentOutOfRangeException(nameof(roots), root, "A root is not a node of the graph.");
                }

                if (_preorder[root] != None)
                {
                    continue;
                }

                _preorder[root] = count;
                vertex[count] = root;
                parent[count] = 0;
                count++;
                int depth = 0;
                stackNode[0] = root;
                stackNext[0] = 0;
                while (depth >= 0)
                {
                    int node = stackNode[depth];
                    ReadOnlySpan<int> successors = _graph.Successors(node);
                    int next = stackNext[depth];
                    while (next < successors.Length && _preorder[successors[next]] != None)
                    {
                        next++;
                    }

                    _meter.Add(next - stackNext[depth] + 1);
                    if (next == successors.Length)
                    {
                        depth--;
                        continue;
                    }

                    int child = successors[next];
                    stackNext[depth] = next + 1;
                    _preorder[child] = count;
                    vertex[count] = child;
                    parent[count] = _preorder[node];
                    count++;
                    depth++;
                    if (depth == stackNode.Length)
                    {
                        Array.Resize(ref stackNode, depth * 2);
                        Array.Resize(ref stackNext, depth * 2);
                    }

                    stackNode[depth] = child;
                    stackNext[depth] = 0;
                }
            }

            _vertex = vertex;
            _parent = parent;
            _count = count;
        }

        /// <summary>Predecessors of every reachable node by preorder number, as compressed rows; the virtual root precedes each root.</summary>
        public void BuildPredecessors(ReadOnlySpan<int> roots)
        {
            _meter.Activity = "Dominators: predecessors";
            var offsets = new int[_count + 1];
            foreach (int root in roots)
            {
                offsets[_preorder[root]]++;
            }

            for (int v = 1; v < _count; v++)
            {
                foreach (int successor in _graph.Successors(_vertex[v]))
                {
                    offsets[_preorder[successor]]++;
                }

                _meter.Add();
            }

            long total = 0;
            for (int v = 0; v <= _count; v++)
            {
                int here = offsets[v];
                offsets[v] = (int)total;
                total += here;
                if (total > Array.MaxLength)
                {
                    throw new InvalidOperationException($"The graph has more edges than one array holds ({Array.MaxLength:N0}).");
                }
            }

            var predecessors = new int[total];
            var fill = new int[_count];
            Array.Copy(offsets, fill, _count);
            foreach (int root in roots)
            {
                predecessors[fill[_preorder[root]]++] = 0;
            }

            for (int v = 1; v < _count; v++)
            {
                foreach (int successor in _graph.Successors(_vertex[v]))
                {
                    predecessors[fill[_preorder[successor]]++] = v;
                }

                _meter.Add();
            }

            _predecessorOffsets = offsets;
            _predecessors = predecessors;
            // Node numbers are not needed past this point: the rest works on preorder numbers and _vertex.
            _preorder = [];
        }

        /// <summary>Lengauer-Tarjan's semidominators, in reverse preorder, with path-compressed evaluation (simple linking).</summary>
        public void ComputeSemidominators()
        {
            _meter.Activity = "Dominators: semidominators";
            _semi = new int[_count];
            _label = new int[_count];
            _ancestor = new int[_count];
            for (int v = 0; v < _count; v++)
            {
                _semi[v] = v;
                _label[v] = v;
                _ancestor[v] = None;
            }

            var path = new int[64];
            for (int w = _count - 1; w > 0; w--)
            {
                int semi = _semi[w];
                for (int p = _predecessorOffsets[w]; p < _predecessorOffsets[w + 1]; p++)
                {
                    int u = Eval(_predecessors[p], ref path);
                    if (_semi[u] < semi)
                    {
                        semi = _semi[u];
                    }
                }

                _semi[w] = semi;
                _ancestor[w] = _parent[w];
                _meter.Add(1 + _predecessorOffsets[w + 1] - _predecessorOffsets[w]);
            }

            _predecessorOffsets = [];
            _predecessors = [];
            _ancestor = [];
        }

        /// <summary>Semi-NCA: each immediate dominator is the nearest ancestor of the DFS parent not below the semidominator.</summary>
        public int[] ComputeDominators()
        {
            _meter.Activity = "Dominators: immediate dominators";
            int[] idom = _label;
            _label = [];
            idom[0] = None;
            for (int w = 1; w < _count; w++)
            {
                int d = _parent[w];
                int semi = _semi[w];
                while (d > semi)
                {
                    d = idom[d];
                }

                idom[w] = d;
                _meter.Add();
            }

            _semi = [];
            _parent = [];
            return idom;
        }

        /// <summary>Dominators by node, and retained bytes and counts summed up the tree in reverse preorder.</summary>
        public DominatorTree Finish(int[] idom, Func<int, long>? nodeSize, Action<Action<int, long>>? forEachNodeSize)
        {
            _meter.Activity = "Dominators: retained sizes";
            int n = _graph.NodeCount;
            var dominator = new int[n];
            Array.Fill(dominator, Unreachable);
            var retainedBytes = new RetainedBytesArray(n);
            var retainedCount = new int[n];
            if (forEachNodeSize is not null)
            {
                // Every node's own bytes first; the unreachable ones are cleared at the end.
                forEachNodeSize((node, size) => retainedBytes.Set(node, size));
                _meter.Check();
            }

            long reachableBytes = 0;
            int reachableCount = 0;
            for (int w = _count - 1; w > 0; w--)
            {
                int node = _vertex[w];
                long bytes = retainedBytes.Get(node) + (nodeSize is null ? 0 : nodeSize(node));
                int count = retainedCount[node] + 1;
                retainedBytes.Set(node, bytes);
                retainedCount[node] = count;
                int d = idom[w];
                if (d == 0)
                {
                    dominator[node] = VirtualRoot;
                    reachableBytes += bytes;
                    reachableCount += count;
                }
                else
                {
                    int dominatorNode = _vertex[d];
                    dominator[node] = dominatorNode;
                    retainedBytes.Set(dominatorNode, retainedBytes.Get(dominatorNode) + bytes);
                    retainedCount[dominatorNode] += count;
                }

                _meter.Add();
            }

            if (forEachNodeSize is not null)
            {
                for (int node = 0; node < n; node++)
                {
                    if (dominator[node] == Unreachable)
                    {
                        retainedBytes.Set(node, 0);
                    }
                }
            }

            _vertex = [];
            _meter.Check();
            return new DominatorTree(dominator, retainedBytes, retainedCount, reachableBytes, reachableCount);
        }

        /// <summary>
        /// The vertex of least semidominator on the compressed path from <paramref name="v"/> up to its forest root (exclusive);
        /// <paramref name="v"/> itself when it is not linked yet. The path is compressed with an explicit stack.
        /// </summary>
        private int Eval(int v, ref int[] path)
        {
            if (_ancestor[v] == None)
            {
                return v;
            }

            int length = 0;
            int x = v;
            while (_ancestor[_ancestor[x]] != None)
            {
                if (length == path.Length)
                {
                    Array.Resize(ref path, length * 2);
                }

                path[length++] = x;
                x = _ancestor[x];
            }

            while (length > 0)
            {
                int y = path[--length];
                int a = _ancestor[y];
                if (_semi[_label[a]] < _semi[_label[y]])
                {
                    _label[y] = _label[a];
                }

                _ancestor[y] = _ancestor[a];
            }

            return _label[v];
        }
    }
}
