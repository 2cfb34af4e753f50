namespace GcTriage.Core.Tests;

public sealed class DominatorTreeTests
{
    private const int V = DominatorTree.VirtualRoot;
    private const int U = DominatorTree.Unreachable;

    /// <summary>Node i weighs 2^i bytes, so every retained size names its set.</summary>
    private static long PowerOfTwo(int node) => 1L << node;

    private static DominatorTree Build(EdgeListGraph graph, params int[] roots) => DominatorTree.Build(graph, roots, PowerOfTwo);

    [Fact]
    public void Diamond_SharedChildIsRetainedByTheCommonDominatorNotEitherParent()
    {
        // 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 4
        var graph = new EdgeListGraph(5, [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)]);
        DominatorTree tree = Build(graph, 0);

        Assert.Equal([V, 0, 0, 0, 3], Enumerable.Range(0, 5).Select(tree.Dominator));
        Assert.Equal([31L, 2, 4, 24, 16], Enumerable.Range(0, 5).Select(tree.RetainedBytes));
        Assert.Equal([5, 1, 1, 2, 1], Enumerable.Range(0, 5).Select(tree.RetainedCount));
        Assert.Equal(31, tree.ReachableBytes);
        Assert.Equal(5, tree.ReachableCount);
        Assert.Equal([3, 2, 1], tree.Dominated(0));
    }

    [Fact]
    public void Cycle_IsDominatedFromWhereItIsEntered()
    {
        // 0 -> 1 -> 2 -> 3 -> 1
        var graph = new EdgeListGraph(4, [(0, 1), (1, 2), (2, 3), (3, 1)]);
        DominatorTree tree = Build(graph, 0);

        Assert.Equal([V, 0, 1, 2], Enumerable.Range(0, 4).Select(tree.Dominator));
        Assert.Equal([15L, 14, 12, 8], Enumerable.Range(0, 4).Select(tree.RetainedBytes));
    }

    [Fact]
    public void TwoRootsSharingAnObject_NeitherRootRetainsIt()
    {
        // roots 0 and 1; 0 -> 2, 1 -> 2, 2 -> 3, 0 -> 4
        var graph = new EdgeListGraph(5, [(0, 2), (1, 2), (2, 3), (0, 4)]);
        DominatorTree tree = Build(graph, 0, 1);

        Assert.Equal([V, V, V, 2, 0], Enumerable.Range(0, 5).Select(tree.Dominator));
        Assert.Equal(1 + 16, tree.RetainedBytes(0));
        Assert.Equal(2, tree.RetainedBytes(1));
        Assert.Equal(4 + 8, tree.RetainedBytes(2));
        Assert.Equal(31, tree.ReachableBytes);
        Assert.Equal([0, 2, 1], tree.Dominated(V));
    }

    [Fact]
    public void SelfLoopsAndDuplicateEdgesAndRepeatedRoots_ChangeNothing()
    {
        var graph = new EdgeListGraph(3, [(0, 0), (0, 1), (0, 1), (1, 1), (1, 2), (2, 2), (2, 0)]);
        DominatorTree tree = Build(graph, 0, 0);

        Assert.Equal([V, 0, 1], Enumerable.Range(0, 3).Select(tree.Dominator));
        Assert.Equal([7L, 6, 4], Enumerable.Range(0, 3).Select(tree.RetainedBytes));
    }

    [Fact]
    public void UnreachableNodes_HaveNoDominatorAndRetainNothing_EvenWhenTheyPointIntoTheLiveGraph()
    {
        // 0 -> 1; unreachable 2 -> 1 and 3 -> 2, 4 alone
        var graph = new EdgeListGraph(5, [(0, 1), (2, 1), (3, 2)]);
        DominatorTree tree = Build(graph, 0);

        Assert.Equal([V, 0, U, U, U], Enumerable.Range(0, 5).Select(tree.Dominator));
        Assert.Equal([3L, 2, 0, 0, 0], Enumerable.Range(0, 5).Select(tree.RetainedBytes));
        Assert.Equal([2, 1, 0, 0, 0], Enumerable.Range(0, 5).Select(tree.RetainedCount));
        Assert.False(tree.IsReachable(2));
        Assert.Empty(tree.DominatorPath(3));
        Assert.Equal(2, tree.ReachableCount);
    }

    [Fact]
    public void NoRoots_NothingIsReachable()
    {
        DominatorTree tree = Build(EdgeListGraph.Chain(3));

        Assert.All(Enumerable.Range(0, 3), node => Assert.Equal(U, tree.Dominator(node)));
        Assert.Equal(0, tree.ReachableBytes);
        Assert.Empty(tree.Dominated(V));
    }

    [Fact]
    public void DeepChain_200000_NeedsNoRecursion()
    {
        const int n = 200_000;
        // A chain with a back edge to the head from every node, so the graph is one big cycle.
        var graph = new EdgeListGraph(n, Enumerable.Range(0, n - 1).Select(i => (i, i + 1)).Append((n - 1, 0)));
        DominatorTree tree = DominatorTree.Build(graph, [0], node => 32);

        Assert.Equal(V, tree.Dominator(0));
        Assert.Equal(n - 2, tree.Dominator(n - 1));
        Assert.Equal(32L * n, tree.RetainedBytes(0));
        Assert.Equal(n, tree.RetainedCount(0));
        Assert.Equal(32L * 1000, tree.RetainedBytes(n - 1000));
        Assert.Equal(n, tree.DominatorPath(n - 1).Length);
        Assert.Equal([n - 1], tree.Dominated(n - 2));

        int entered = 0;
        int maxDepth = 0;
        int depth = 0;
        tree.Walk(_ => { entered++; maxDepth = Math.Max(maxDepth, ++depth); }, _ => depth--);
        Assert.Equal(n, entered);
        Assert.Equal(n, maxDepth);
        Assert.Equal(0, depth);
    }

    [Fact]
    public void DeepChainReachedFromEveryNodeOfAnArray_IsHeldByTheArrayAlone()
    {
        // node 0 (an array) refers to every node of the chain 1 -> 2 -> ... -> n: each is a child of the array.
        const int n = 200_000;
        var edges = Enumerable.Range(1, n).Select(i => (0, i)).Concat(Enumerable.Range(1, n - 1).Select(i => (i, i + 1)));
        var graph = new EdgeListGraph(n + 1, edges);
        DominatorTree tree = DominatorTree.Build(graph, [0], node => 24);

        Assert.All(Enumerable.Range(1, n), node => Assert.Equal(0, tree.Dominator(node)));
        Assert.Equal(24L * (n + 1), tree.RetainedBytes(0));
        Assert.Equal(24, tree.RetainedBytes(1));
    }

    [Fact]
    public void RandomGraphs_MatchTheDefinition()
    {
        var random = new Random(14);
        for (int round = 0; round < 300; round++)
        {
            int n = random.Next(1, 40);
            int edgeCount = random.Next(0, n * 3);
            var edges = Enumerable.Range(0, edgeCount).Select(_ => (random.Next(n), random.Next(n))).ToList();
            int[] roots = Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(n)).ToArray();
            var sizes = Enumerable.Range(0, n).Select(_ => (long)random.Next(1, 1000)).ToArray();
            var graph = new EdgeListGraph(n, edges);

            DominatorTree tree = DominatorTree.Build(graph, roots, node => sizes[node]);
            DominatorTree pushed = DominatorTree.Build(graph, roots, visit =>
            {
                for (int node = n - 1; node >= 0; node--)
                {
                    visit(node, sizes[node]);
                }
            });
            var naive = new NaiveDominance(graph, roots, node => sizes[node]);

            for (int node = 0; node < n; node++)
            {
                string where = $"round {round}, node {node}";
                Assert.True(naive.Dominator(node) == tree.Dominator(node), $"{where}: dominator {tree.Dominator(node)}, expected {naive.Dominator(node)}");
                Assert.True(naive.RetainedBytes[node] == tree.RetainedBytes(node), $"{where}: retained {tree.RetainedBytes(node)}, expected {naive.RetainedBytes[node]}");
                Assert.True(naive.RetainedCount[node] == tree.RetainedCount(node), where);
                Assert.True((tree.Dominator(node), tree.RetainedBytes(node), tree.RetainedCount(node)) == (pushed.Dominator(node), pushed.RetainedBytes(node), pushed.RetainedCount(node)), where + ": pushed sizes");
            }

            Assert.Equal(Enumerable.Range(0, n).Where(v => naive.Reachable[v]).Sum(v => sizes[v]), tree.ReachableBytes);

            // Children two ways: the scan of one node and the grouping of all, against the naive dominators.
            DominatedNodes grouped = tree.GroupDominated();
            foreach (int parent in Enumerable.Range(0, n).Append(V))
            {
                int[] expected = Enumerable.Range(0, n).Where(v => naive.Reachable[v] && naive.Dominator(v) == parent)
                    .OrderByDescending(v => naive.RetainedBytes[v]).ThenBy(v => v).ToArray();
                Assert.Equal(expected, tree.Dominated(parent));
                Assert.Equal(expected, grouped.Sorted(parent));
                Assert.Equal(expected.Order(), grouped.Of(parent).ToArray());
            }
        }
    }

    [Fact]
    public void Dominated_IsLargestFirst_AndTiesByNode()
    {
        // 0 -> 1..4; 1 and 3 weigh the same
        var sizes = new long[] { 1, 50, 70, 50, 5 };
        var graph = new EdgeListGraph(5, [(0, 1), (0, 2), (0, 3), (0, 4)]);
        DominatorTree tree = DominatorTree.Build(graph, [0], node => sizes[node]);

        Assert.Equal([2, 1, 3, 4], tree.Dominated(0));
        Assert.Empty(tree.Dominated(4));
        Assert.Equal([0], tree.Dominated(V));
    }

    [Fact]
    public void Memory_IsFourteenBytesPerNode_TheGroupingIsTheCallers()
    {
        DominatorTree tree = Build(EdgeListGraph.Chain(10), 0);
        Assert.Equal(140, tree.MemoryBytes);
        Assert.Equal([1], tree.Dominated(0));
        int entered = 0;
        tree.Walk(_ => entered++, _ => { });
        Assert.Equal(10, entered);
        Assert.Equal(140, tree.MemoryBytes);

        // offsets for 10 nodes and the virtual root, plus one, and one entry per reachable node
        Assert.Equal(4 * (12 + 10), tree.GroupDominated().MemoryBytes);
    }

    [Fact]
    public void RetainedBytes_BeyondFourGigabytes_AreKept()
    {
        // 0 -> 1 -> 2, 3 GB each: 9 GB at the head, past 32 bits.
        DominatorTree tree = DominatorTree.Build(EdgeListGraph.Chain(3), [0], _ => 3L << 30);
        Assert.Equal(9L << 30, tree.RetainedBytes(0));
        Assert.Equal(6L << 30, tree.RetainedBytes(1));
        Assert.Equal(9L << 30, tree.ReachableBytes);
    }

    [Fact]
    public void Cancelled_Throws()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.Throws<OperationCanceledException>(() => DominatorTree.Build(EdgeListGraph.Chain(10), [0], PowerOfTwo, cancel.Token));
    }

    [Fact]
    public void CancelledMidway_Throws()
    {
        using var cancel = new CancellationTokenSource();
        var graph = new CancellingGraph(EdgeListGraph.Chain(1_000_000), atNode: 500_000, cancel);

        Assert.ThrowsAny<OperationCanceledException>(() => DominatorTree.Build(graph, [0], node => 8, cancel.Token));
        Assert.True(graph.Asked < 1_000_000);
    }

    [Fact]
    public void ARootOutsideTheGraph_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Build(EdgeListGraph.Chain(3), 3));
    }

    /// <summary>Cancels when the build first asks for one node's successors, as Ctrl+C would mid-build.</summary>
    private sealed class CancellingGraph(IDirectedGraph inner, int atNode, CancellationTokenSource cancel) : IDirectedGraph
    {
        public int Asked { get; private set; }

        public int NodeCount => inner.NodeCount;

        public ReadOnlySpan<int> Successors(int node)
        {
            Asked++;
            if (node == atNode)
            {
                cancel.Cancel();
            }

            return inner.Successors(node);
        }
    }
}
