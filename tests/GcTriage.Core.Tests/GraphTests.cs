using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core.Tests;

/// <summary>The reference graph and root set of the fixture's heap mode, against ClrMD, and the traversal's budget and cancellation.</summary>
[Collection(HeapDumpCollection.Name)]
public sealed class GraphTests(HeapDumpFixture fixture)
{
    [Fact]
    public void Edges_equal_ClrMD_object_by_object()
    {
        DumpSession session = fixture.Session;
        ReferenceGraph graph = session.GetGraph();
        long edges = GraphAssert.SameEdgesAsClrMD(session.Heap, session.GetIndex(), graph);
        Assert.True(edges > 2_000, $"only {edges} edges");
        Assert.Equal(graph.MemoryBytes, 4L * (graph.NodeCount + 1) + 4L * graph.EdgeCount);
        Assert.False(graph.WideOffsets);
    }

    [Fact]
    public void ClrMD_build_and_fast_build_make_the_same_graph()
    {
        DumpSession session = fixture.Session;
        ReferenceGraph byClrMD = ReferenceGraphBuilder.Build(session.Heap, session.GetIndex(), CancellationToken.None, null, useClrMD: true);
        GraphAssert.SameGraph(byClrMD, session.GetGraph());
        Assert.Equal(byClrMD.DroppedPointers, session.GetGraph().DroppedPointers);
    }

    [Fact]
    public void Wide_offsets_give_the_same_rows()
    {
        DumpSession session = fixture.Session;
        ReferenceGraph graph = session.GetGraph();
        int maxDegree = Enumerable.Range(0, graph.NodeCount).Max(i => graph.Successors(i).Length);
        int shift = 1;
        while ((1 << shift) < maxDegree)
        {
            shift++;
        }

        // Chunks just big enough for the largest row: many rows move to the next chunk, none is cut.
        ReferenceGraph wide = ReferenceGraphBuilder.Build(session.Heap, session.GetIndex(), CancellationToken.None, null, wideChunkShift: shift);
        Assert.True(wide.WideOffsets);
        Assert.Equal(graph.EdgeCount, wide.EdgeCount);
        GraphAssert.SameGraph(graph, wide);
    }

    [Fact]
    public void Root_set_names_statics_and_lists_every_handle_kind()
    {
        DumpSession session = fixture.Session;
        HeapIndex index = session.GetIndex();
        RootSet roots = session.GetRootSet();
        Assert.Same(roots, session.GetRootSet());
        GcCollectionInfo seen = Assert.Single(CollectionInspector.GetCollections(session, new CollectionQuery()),
            c => c.TypeName == "System.Collections.Generic.Dictionary<System.Int64, System.Boolean>");
        RootEntry s = Assert.Single(roots.Entries, r => r.Name == "GcTriage.Fixture.Cache.s_seen");
        Assert.Equal(RootKind.StaticField, s.Kind);
        Assert.Equal(seen.Address, s.Object);
        Assert.Equal(index.IndexOf(seen.Address), s.Node);

        var kinds = roots.Entries.GroupBy(r => r.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(kinds[RootKind.StaticField] >= 10, $"{kinds[RootKind.StaticField]} statics");
        Assert.True(kinds[RootKind.StrongHandle] > 0);
        Assert.True(kinds[RootKind.PinnedHandle] > 0);
        Assert.True(kinds.ContainsKey(RootKind.Stack));
        Assert.Equal(roots.Entries.Where(r => r.Node >= 0).Select(r => r.Node).Distinct().Order(), roots.Nodes.ToArray());
        Assert.All(roots.Entries, r => Assert.Equal(index.IndexOf(r.Object), r.Node));

        // The strong and pinned handles are ClrMD's roots, one for one.
        Assert.Equal(session.Heap.EnumerateRoots().Count(), roots.Entries.Count(r => r.Kind != RootKind.StaticField));
    }

    [Fact]
    public void Marking_from_the_roots_equals_the_live_set_and_a_one_node_budget_truncates()
    {
        DumpSession session = fixture.Session;
        ReferenceGraph graph = session.GetGraph();
        RootSet roots = session.GetRootSet();
        MarkResult all = GraphTraversal.Mark(graph, roots.Nodes, new WorkMeter(GraphBudget.Default, CancellationToken.None, null, "test"));
        Assert.False(all.Truncated);
        Assert.Equal(session.GetLiveSet(GraphBudget.Default).LiveCount, all.Marked);

        MarkResult cut = GraphTraversal.Mark(graph, roots.Nodes, new WorkMeter(new GraphBudget(1, TimeSpan.FromMinutes(1)), CancellationToken.None, null, "test"));
        Assert.True(cut.Truncated);
        Assert.True(cut.Marked < all.Marked);
    }

    [Fact]
    public void Cancelled_token_stops_the_build_and_the_traversals()
    {
        DumpSession session = fixture.Session;
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ReferenceGraphBuilder.Build(session.Heap, session.GetIndex(), cts.Token, null));
        ReferenceGraph graph = session.GetGraph();
        Assert.ThrowsAny<OperationCanceledException>(() => GraphTraversal.Mark(graph, session.GetRootSet().Nodes, new WorkMeter(GraphBudget.Default, cts.Token, null, "test")));

    }

    [Fact]
    public void Dropping_the_graph_builds_it_again_the_same()
    {
        DumpSession session = fixture.Session;
        ReferenceGraph first = session.GetGraph();
        session.DropGraph();
        Assert.False(session.HasGraph);
        ReferenceGraph second = session.GetGraph();
        Assert.NotSame(first, second);
        Assert.True(session.HasGraph);
        GraphAssert.SameGraph(first, second);
    }
}

/// <summary>The graph of the collections mode (the runtime's own collection types, arrays of entry structs) against ClrMD.</summary>
public sealed class CollectionsGraphTests(CollectionsDumpFixture fixture) : IClassFixture<CollectionsDumpFixture>
{
    [Fact]
    public void Edges_equal_ClrMD_object_by_object()
    {
        GraphAssert.SameEdgesAsClrMD(fixture.Session.Heap, fixture.Session.GetIndex(), fixture.Session.GetGraph());
    }
}

/// <summary>Dependent handles, arrays of structs, a collectible type and a 200,000-deep chain (tests/GcTriage.Fixture/ReferencesMode.cs).</summary>
public sealed class ReferencesGraphTests(ReferencesDumpFixture fixture) : IClassFixture<ReferencesDumpFixture>
{
    // The fixture's figures (tests/GcTriage.Fixture/ReferencesMode.cs).
    private const int Keys = 10;
    private const int Pairs = 100;
    private const int ChainLength = 200_000;

    private HeapIndex Index => fixture.Session.GetIndex();
    private ReferenceGraph Graph => fixture.Session.GetGraph();

    private int[] NodesOf(string typeName)
    {
        var nodes = new List<int>();
        HeapIndex index = Index;
        index.ForEach((i, e) =>
        {
            if (index.Types[e.TypeId].Name == typeName)
            {
                nodes.Add((int)i);
            }
        });
        return nodes.ToArray();
    }

    private string TypeOf(int node) => Index.Types[Index.EntryAt(node).TypeId].Name;

    [Fact]
    public void Edges_equal_ClrMD_object_by_object()
    {
        GraphAssert.SameEdgesAsClrMD(fixture.Session.Heap, Index, Graph);
    }

    [Fact]
    public void Dependent_handles_are_edges_from_key_to_value()
    {
        int[] keys = NodesOf("GcTriage.Fixture.RefKey");
        int[] values = NodesOf("GcTriage.Fixture.RefValue");
        Assert.Equal(Keys, keys.Length);
        Assert.Equal(Keys, values.Length);
        Assert.True(Graph.DependentHandleEdges >= Keys);
        var valueSet = values.ToHashSet();
        foreach (int key in keys)
        {
            // A key holds nothing but its value, through the table's dependent handle.
            Assert.Equal(1, Graph.Successors(key).ToArray().Count(valueSet.Contains));
        }

        var referrers = new Dictionary<int, List<int>>();
        for (int i = 0; i < Graph.NodeCount; i++)
        {
            foreach (int c in Graph.Successors(i))
            {
                if (valueSet.Contains(c))
                {
                    (referrers.TryGetValue(c, out var l) ? l : referrers[c] = new()).Add(i);
                }
            }
        }

        // Each value's referrers: its key, and the table's own entry, nothing else.
        Assert.All(values, v => Assert.Contains(referrers[v], keys.Contains));
        Assert.All(values, v => Assert.True(fixture.Session.GetLiveSet(GraphBudget.Default).IsLive(v)));
    }

    [Fact]
    public void Array_of_structs_has_an_edge_per_reference_field()
    {
        int pairs = Assert.Single(NodesOf("GcTriage.Fixture.RefPair[]"));
        string[] targets = Graph.Successors(pairs).ToArray().Select(TypeOf).ToArray();
        Assert.Equal(Pairs, targets.Count(t => t == "System.String"));
        Assert.Equal(Pairs / 2, targets.Count(t => t == "System.Int32"));
        Assert.Equal(Pairs * 3 / 2, targets.Length);
    }

    [Fact]
    public void Collectible_instance_holds_its_loader_allocator()
    {
        int holder = Assert.Single(NodesOf("GcTriage.Collectible.Holder"));
        Assert.True(Index.Types[Index.EntryAt(holder).TypeId].ClrType!.IsCollectible);
        string[] targets = Graph.Successors(holder).ToArray().Select(TypeOf).Order().ToArray();
        Assert.Equal(new[] { "System.Reflection.LoaderAllocator", "System.String" }, targets);
    }

    [Fact]
    public void A_spent_time_budget_truncates_the_marking_at_its_first_check()
    {
        RootSet roots = fixture.Session.GetRootSet();
        MarkResult all = GraphTraversal.Mark(Graph, roots.Nodes, new WorkMeter(GraphBudget.Default, CancellationToken.None, null, "test"));
        MarkResult cut = GraphTraversal.Mark(Graph, roots.Nodes, new WorkMeter(new GraphBudget(long.MaxValue, TimeSpan.Zero), CancellationToken.None, null, "test"));
        Assert.False(all.Truncated);
        Assert.True(all.Marked > ChainLength);
        Assert.True(cut.Truncated);
        Assert.True(cut.Marked < all.Marked);
    }

    [Fact]
    public void Cancel_in_the_middle_of_a_search_stops_it_within_a_check_interval()
    {
        // The chain makes the search long enough: the meter throws at its next check, a few thousand nodes later at most.
        using var cts = new CancellationTokenSource();
        var meter = new WorkMeter(GraphBudget.Default, cts.Token, null, "test");
        long expanded = 0;
        var sources = fixture.Session.GetRootSet().Nodes.ToArray().Select((n, i) => (n, i)).ToArray();
        Assert.ThrowsAny<OperationCanceledException>(() => GraphTraversal.BreadthFirst(Graph, sources, meter, (_, _) =>
        {
            if (++expanded == 10)
            {
                cts.Cancel();
            }

            return EdgeAction.Follow;
        }));
        Assert.True(meter.Done <= 10 + 2 * WorkMeter.CheckEvery, $"{meter.Done} nodes expanded after the cancel");
    }

    [Fact]
    public void Deep_chain_is_live_and_its_tail_has_a_root_path()
    {
        LiveSet live = fixture.Session.GetLiveSet(GraphBudget.Default);
        Assert.False(live.Truncated);
        int[] chain = NodesOf("GcTriage.Fixture.ChainNode");
        Assert.Equal(ChainLength + 3, chain.Length);
        Assert.All(chain, n => Assert.True(live.IsLive(n)));

        // The tail: the one chain node (not of the ring) that refers to nothing.
        int tail = Assert.Single(chain, n => Graph.Successors(n).Length == 0);
        RootSearchResult result = RootFinder.FindPaths(fixture.Session, Index.EntryAt(tail).Address, new RootQuery { MaxPaths = 1 });
        GcRootPath path = Assert.Single(result.Paths);
        Assert.Equal("GcTriage.Fixture.ReferencesMode.s_chain", path.RootName);
        Assert.Equal(ChainLength - 1, path.Depth);
        Assert.All(path.Chain.Skip(1), s => Assert.Equal("Next", s.FieldName));
    }
}
