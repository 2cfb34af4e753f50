namespace GcTriage.Core.Tests;

public sealed class LeakSuspectTests
{
    private static DominatorTree Build(int n, IEnumerable<(int, int)> edges, int[] roots, long[] sizes) =>
        DominatorTree.Build(new EdgeListGraph(n, edges), roots, node => sizes[node]);

    [Fact]
    public void ObjectSuspect_DescendsToWhereTheBytesSpreadOut()
    {
        // 0 (1 B) -> 1 (1 B) -> 2 (8 B, an array) -> 3..12 (10 B each): 110 B in all.
        long[] sizes = [1, 1, 8, .. Enumerable.Repeat(10L, 10)];
        var edges = new List<(int, int)> { (0, 1), (1, 2) };
        edges.AddRange(Enumerable.Range(3, 10).Select(i => (2, i)));
        DominatorTree tree = Build(13, edges, [0], sizes);

        LeakSuspect suspect = Assert.Single(LeakSuspectFinder.Find(tree, node => node == 2 ? 2 : 1));

        Assert.Equal(LeakSuspectKind.Object, suspect.Kind);
        Assert.Equal(0, suspect.Node);
        Assert.Equal(110, suspect.RetainedBytes);
        Assert.Equal(13, suspect.RetainedCount);
        Assert.Equal(1.0, suspect.ShareOfHeap);
        Assert.Equal(2, suspect.AccumulationPoint);
        Assert.Equal([0, 1, 2], suspect.AccumulationPath);
    }

    [Fact]
    public void WhatASuspectRetains_IsNeverASuspectOfItsOwn_EvenOffTheDescent()
    {
        // 0 (5 B) -> 1 (80 B), 0 -> 2 (15 B): the descent goes to 1 (80%); 2 holds 15% beside it, as a Dictionary's buckets do.
        DominatorTree tree = Build(3, [(0, 1), (0, 2)], [0], [5, 80, 15]);

        LeakSuspect suspect = Assert.Single(LeakSuspectFinder.Find(tree, node => node));

        Assert.Equal((0, 1.0, 1), (suspect.Node, suspect.ShareOfHeap, suspect.AccumulationPoint));
        Assert.Equal([0, 1], suspect.AccumulationPath);
    }

    [Fact]
    public void NothingBelowAnAccumulationPoint_IsASuspectOfItsOwn()
    {
        // 0 (1 B) -> 1 (1 B) -> 2 (49 B), 1 -> 3 (49 B): the bytes spread out at 1, whose halves are part of that accumulation.
        DominatorTree tree = Build(4, [(0, 1), (1, 2), (1, 3)], [0], [1, 1, 49, 49]);

        LeakSuspect suspect = Assert.Single(LeakSuspectFinder.Find(tree, node => node));

        Assert.Equal(0, suspect.Node);
        Assert.Equal(1, suspect.AccumulationPoint);
    }

    [Fact]
    public void ManySmallTopDominatorsOfOneType_AreATypeGroup()
    {
        // roots: 0..14 (type 7, 1 B each), 15..19 (type 8, 1 B each), 20 (type 9, 80 B): 100 B in all.
        long[] sizes = [.. Enumerable.Repeat(1L, 20), 80];
        int TypeOf(int node) => node < 15 ? 7 : node < 20 ? 8 : 9;
        DominatorTree tree = Build(21, [], Enumerable.Range(0, 21).ToArray(), sizes);

        IReadOnlyList<LeakSuspect> suspects = LeakSuspectFinder.Find(tree, TypeOf);

        Assert.Equal(2, suspects.Count);
        Assert.Equal((LeakSuspectKind.Object, 20, 9, 80L), (suspects[0].Kind, suspects[0].Node, suspects[0].TypeKey, suspects[0].RetainedBytes));
        LeakSuspect group = suspects[1];
        Assert.Equal(LeakSuspectKind.TypeGroup, group.Kind);
        Assert.Equal(7, group.TypeKey);
        Assert.Equal(15, group.InstanceCount);
        Assert.Equal(15, group.RetainedBytes);
        Assert.Equal(15, group.RetainedCount);
        Assert.Equal(0.15, group.ShareOfHeap);
        Assert.Equal(-1, group.AccumulationPoint);
        Assert.Empty(group.AccumulationPath);

        IReadOnlyList<LeakSuspect> lower = LeakSuspectFinder.Find(tree, TypeOf, minShare: 0.04);
        Assert.Equal([9, 7, 8], lower.Select(s => s.TypeKey));
    }

    [Fact]
    public void ObjectSuspectsAreNotCountedAgainInTheirTypesGroup()
    {
        // roots 0 (50 B) and 1..5 (2 B each), all one type: 0 is an object suspect; the other five hold 10 B, 16.7% of 60 B.
        DominatorTree tree = Build(6, [], [0, 1, 2, 3, 4, 5], [50, 2, 2, 2, 2, 2]);

        IReadOnlyList<LeakSuspect> suspects = LeakSuspectFinder.Find(tree, _ => 1);

        Assert.Equal(2, suspects.Count);
        Assert.Equal((LeakSuspectKind.Object, 50L), (suspects[0].Kind, suspects[0].RetainedBytes));
        Assert.Equal((LeakSuspectKind.TypeGroup, 5, 10L, 1), (suspects[1].Kind, suspects[1].InstanceCount, suspects[1].RetainedBytes, suspects[1].Node));
    }

    [Fact]
    public void ALongChain_HasNoAccumulationPoint_PastTheDescentLimit()
    {
        const int n = 5000;
        DominatorTree tree = DominatorTree.Build(EdgeListGraph.Chain(n), [0], _ => 24);

        LeakSuspect suspect = Assert.Single(LeakSuspectFinder.Find(tree, _ => 1));

        Assert.Equal(0, suspect.Node);
        Assert.Equal(24L * n, suspect.RetainedBytes);
        Assert.Equal(-1, suspect.AccumulationPoint);
        Assert.Equal(LeakSuspectFinder.MaxDescent + 1, suspect.AccumulationPath.Count);
    }

    [Fact]
    public void AShortChain_AccumulatesWhereTheNextStepDropsBelowSeventyPercent()
    {
        // 0 -> 1 -> ... -> 9, 10 B each: from node k the next keeps (9-k)/(10-k), first below 0.7 at k = 7 (2/3).
        DominatorTree tree = DominatorTree.Build(EdgeListGraph.Chain(10), [0], _ => 10);

        LeakSuspect suspect = Assert.Single(LeakSuspectFinder.Find(tree, _ => 1));

        Assert.Equal(7, suspect.AccumulationPoint);
        Assert.Equal(Enumerable.Range(0, 8), suspect.AccumulationPath);
    }

    [Fact]
    public void NoSuspect_WhenNothingPassesTheShare_OrNothingIsReachable()
    {
        DominatorTree spread = Build(20, [], Enumerable.Range(0, 20).ToArray(), Enumerable.Repeat(1L, 20).ToArray());
        Assert.Empty(LeakSuspectFinder.Find(spread, node => node));

        DominatorTree empty = Build(3, [(0, 1)], [], [1, 1, 1]);
        Assert.Empty(LeakSuspectFinder.Find(empty, node => node));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void ShareOutsideZeroToOne_Throws(double minShare)
    {
        DominatorTree tree = Build(1, [], [0], [1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => LeakSuspectFinder.Find(tree, node => node, minShare));
    }
}
