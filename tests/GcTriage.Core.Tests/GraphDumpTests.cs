namespace GcTriage.Core.Tests;

/// <summary>The dominator tree, retained sizes and leak suspects of the fixture's graph mode, whose figures are known exactly.</summary>
public sealed class GraphDumpTests(GraphDumpFixture fixture) : IClassFixture<GraphDumpFixture>
{
    private const string Ns = "GcTriage.Fixture.";
    private const string ItemsType = "System.Collections.Generic.Dictionary<System.Int32, GcTriage.Fixture.GraphItem>";

    private DumpSession Session => fixture.Session;
    private HeapIndex Index => Session.GetIndex();
    private DominatorTree Tree => Session.GetDominatorTree();

    /// <summary>The live instances of a type, in address order.</summary>
    private int[] Nodes(string typeName) =>
        Index.Enumerate().Where(x => Index.Types[x.Entry.TypeId].Name == typeName).Select(x => (int)x.Index).Where(Tree.IsReachable).ToArray();

    private int Single(string typeName) => Assert.Single(Nodes(typeName));

    private long SizeOf(int node) => Index.SizeOf(Index.EntryAt(node));

    private ulong AddressOf(int node) => Index.EntryAt(node).Address;

    [Fact]
    public void Diamond_TheSharedChildIsRetainedByTheTop_NotByEitherSide()
    {
        int top = Single(Ns + "GraphDiamondTop");
        int shared = Single(Ns + "GraphDiamondShared");
        int[] sides = Nodes(Ns + "GraphDiamondSide");

        Assert.Equal(2, sides.Length);
        Assert.Equal(top, Tree.Dominator(shared));
        Assert.All(sides, side => Assert.Equal(top, Tree.Dominator(side)));
        Assert.All(sides, side => Assert.Equal((24L, 1), (Tree.RetainedBytes(side), Tree.RetainedCount(side))));
        Assert.Equal((1048L, 2), (Tree.RetainedBytes(shared), Tree.RetainedCount(shared)));
        Assert.Equal((1128L, 5), (Tree.RetainedBytes(top), Tree.RetainedCount(top)));
        Assert.Equal(DominatorTree.VirtualRoot, Tree.Dominator(top));
    }

    [Fact]
    public void Cycle_IsDominatedFromItsEntry()
    {
        int[] ring = Nodes(Ns + "GraphCycleNode");
        Assert.Equal(3, ring.Length);
        int first = Assert.Single(ring, n => Tree.Dominator(n) == DominatorTree.VirtualRoot);
        int second = Assert.Single(ring, n => Tree.Dominator(n) == first);
        int third = Assert.Single(ring, n => Tree.Dominator(n) == second);

        Assert.Equal((468L, 6), (Tree.RetainedBytes(first), Tree.RetainedCount(first)));
        Assert.Equal((312L, 4), (Tree.RetainedBytes(second), Tree.RetainedCount(second)));
        Assert.Equal((156L, 2), (Tree.RetainedBytes(third), Tree.RetainedCount(third)));
    }

    [Fact]
    public void TwoRoots_NeitherHolderRetainsTheSharedTarget()
    {
        int target = Single(Ns + "GraphSharedTarget");
        int[] holders = Nodes(Ns + "GraphSharedHolder");

        Assert.Equal(2, holders.Length);
        Assert.All(holders, h => Assert.Equal((24L, 1), (Tree.RetainedBytes(h), Tree.RetainedCount(h))));
        Assert.Equal(DominatorTree.VirtualRoot, Tree.Dominator(target));
        Assert.Equal((2048L, 2), (Tree.RetainedBytes(target), Tree.RetainedCount(target)));
    }

    [Fact]
    public void Chain_200000Deep_EachNodeDominatedByTheOneBefore()
    {
        int[] chain = Nodes(Ns + "GraphChainNode");
        Assert.Equal(200_000, chain.Length);
        int head = Assert.Single(chain, n => Tree.Dominator(n) == DominatorTree.VirtualRoot);

        Assert.Equal((4_800_000L, 200_000), (Tree.RetainedBytes(head), Tree.RetainedCount(head)));
        int[] path = Tree.DominatorPath(chain.OrderBy(Tree.RetainedBytes).First());
        Assert.Equal(200_000, path.Length);
        Assert.Equal(head, path[0]);
        for (int k = 0; k < path.Length; k++)
        {
            Assert.Equal(24L * (200_000 - k), Tree.RetainedBytes(path[k]));
        }
    }

    [Fact]
    public void Dictionary_RetainsItsArraysAndEveryItemWithItsBuffer()
    {
        int dictionary = Single(ItemsType);
        GcCollectionInfo info = CollectionInspector.GetCollections(Session, new CollectionQuery { ValueType = ["GcTriage.Fixture.GraphItem"] }).Single();

        Assert.Equal(info.ShallowBytes + 1000 * (24 + 1048), Tree.RetainedBytes(dictionary));
        Assert.Equal(3 + 2000, Tree.RetainedCount(dictionary));
        Assert.All(Nodes(Ns + "GraphItem"), item => Assert.Equal((1072L, 2), (Tree.RetainedBytes(item), Tree.RetainedCount(item))));

        GcCollectionInfo retained = CollectionInspector.GetCollections(Session, new CollectionQuery { ValueType = ["GcTriage.Fixture.GraphItem"], Retained = true }).Single();
        Assert.Equal(Tree.RetainedBytes(dictionary), retained.RetainedBytes);
        Assert.False(retained.Truncated);
    }

    [Fact]
    public void FixtureObjects_MatchTheDefinition_BytesThatBecomeUnreachableWithoutThem()
    {
        ReferenceGraph graph = Session.GetGraph();
        int[] roots = Session.GetRootSet().Nodes.ToArray();
        bool[] all = NaiveDominance.Mark(graph, roots, excluded: -1);
        string[] types = ["GraphDiamondTop", "GraphDiamondSide", "GraphDiamondShared", "GraphCycleNode", "GraphSharedHolder", "GraphSharedTarget", "GraphItem"];
        int[] checkedNodes = types.SelectMany(t => Nodes(Ns + t)).Append(Single(ItemsType)).ToArray();
        Assert.Equal(1 + 2 + 1 + 3 + 2 + 1 + 1000 + 1, checkedNodes.Length);

        foreach (int node in checkedNodes.Take(20).Append(checkedNodes[^1]))
        {
            bool[] without = NaiveDominance.Mark(graph, roots, excluded: node);
            long bytes = 0;
            int count = 0;
            for (int v = 0; v < all.Length; v++)
            {
                if (all[v] && !without[v])
                {
                    bytes += SizeOf(v);
                    count++;
                }
            }

            Assert.True(bytes == Tree.RetainedBytes(node), $"0x{AddressOf(node):x}: {Tree.RetainedBytes(node)}, by definition {bytes}");
            Assert.Equal(count, Tree.RetainedCount(node));
        }

        Assert.Equal(Enumerable.Range(0, all.Length).Count(v => all[v]), Tree.ReachableCount);
        Assert.Equal(Enumerable.Range(0, all.Length).Where(v => all[v]).Sum(v => SizeOf(v)), Tree.ReachableBytes);
    }

    [Fact]
    public void Queries_NameTheStaticThatHoldsEachTopDominator()
    {
        GcRetainedInfo head = RetainedQueries.GetTopRetained(Session, [Ns + "GraphChainNode"], top: 1).Single();

        Assert.Equal(4_800_000, head.RetainedBytes);
        Assert.Equal(200_000, head.RetainedCount);
        Assert.Equal(0UL, head.DominatorAddress);
        Assert.Equal("StaticField", head.RootKind);
        Assert.Equal("GcTriage.Fixture.GraphMode.s_chain", head.RootName);

        IReadOnlyList<GcRetainedInfo> below = RetainedQueries.GetDominated(Session, AddressOf(Single(Ns + "GraphDiamondTop")), top: 0);
        Assert.Equal([Ns + "GraphDiamondShared", Ns + "GraphDiamondSide", Ns + "GraphDiamondSide"], below.Select(r => r.TypeName));
        Assert.Equal([1048L, 24, 24], below.Select(r => r.RetainedBytes));
        Assert.Equal("GcTriage.Fixture.GraphMode.s_diamond", below[0].RootName);
    }

    [Fact]
    public void RetainedByType_CountsOnlyTheTopMostInstances()
    {
        IReadOnlyList<GcRetainedTypeStat> rows = RetainedQueries.GetRetainedByType(Session, [Ns + "GraphChainNode", Ns + "GraphCycleNode"]);

        GcRetainedTypeStat chain = rows.Single(r => r.TypeName == Ns + "GraphChainNode");
        Assert.Equal((1L, 24L, 4_800_000L, 200_000L), (chain.Count, chain.Size, chain.RetainedBytes, chain.RetainedCount));
        GcRetainedTypeStat cycle = rows.Single(r => r.TypeName == Ns + "GraphCycleNode");
        Assert.Equal((1L, 468L), (cycle.Count, cycle.RetainedBytes));
        Assert.Equal(2, rows.Count);
    }

    [Fact]
    public void LeakSuspects_TheChainHasNoAccumulationPoint_TheDictionaryAccumulatesInItsEntries()
    {
        IReadOnlyList<GcLeakSuspect> suspects = RetainedQueries.GetLeakSuspects(Session, minShare: 0.10);

        GcLeakSuspect chain = suspects.Single(s => s.TypeName == Ns + "GraphChainNode");
        Assert.Equal(GcLeakSuspectKind.Object, chain.Kind);
        Assert.Equal(4_800_000, chain.RetainedBytes);
        Assert.Equal(4_800_000.0 / Tree.ReachableBytes, chain.ShareOfHeap);
        Assert.Null(chain.AccumulationPointAddress);
        Assert.StartsWith("[StaticField] GcTriage.Fixture.GraphMode.s_chain -> GcTriage.Fixture.GraphChainNode@0x", chain.RootPath);

        GcLeakSuspect items = suspects.Single(s => s.TypeName == ItemsType);
        int dictionary = Single(ItemsType);
        Assert.Equal(Tree.RetainedBytes(dictionary), items.RetainedBytes);
        Assert.Equal("GcTriage.Fixture.GraphMode.s_items", items.RootName);
        int entries = Tree.Dominated(dictionary)[0];
        Assert.Equal(AddressOf(entries), items.AccumulationPointAddress);
        Assert.EndsWith("[]", items.AccumulationPointType);
        Assert.Contains("Entry", items.AccumulationPointType);
        Assert.Equal(SizeOf(entries) + 1000 * 1072, items.AccumulationPointRetainedBytes);
    }
}
