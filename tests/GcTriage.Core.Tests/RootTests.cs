namespace GcTriage.Core.Tests;

/// <summary>Root paths on the fixture's heap mode: statics by name, the closure through its display class and delegate.</summary>
[Collection(HeapDumpCollection.Name)]
public sealed class RootTests(HeapDumpFixture fixture)
{
    private GcCollectionInfo Collection(Func<GcCollectionInfo, bool> match) =>
        Assert.Single(CollectionInspector.GetCollections(fixture.Session, new CollectionQuery()), c => match(c));

    [Fact]
    public void StaticDictionaryIsHeldByItsNamedField()
    {
        GcCollectionInfo seen = Collection(c => c.TypeName == "System.Collections.Generic.Dictionary<System.Int64, System.Boolean>");
        RootSearchResult result = RootFinder.FindPaths(fixture.Session, seen.Address, new RootQuery { MaxPaths = 1 });
        GcRootPath path = Assert.Single(result.Paths);
        Assert.Equal("StaticField", path.RootKind);
        Assert.Equal("GcTriage.Fixture.Cache.s_seen", path.RootName);
        Assert.Equal(0, path.Depth);
        GcRootStep step = Assert.Single(path.Chain);
        Assert.Equal(seen.Address, step.Address);
        Assert.Null(step.FieldName);
        Assert.False(path.Truncated);

        // The runtime's own statics storage (an object[] behind a handle) is not reported as a second root of the same static.
        RootSearchResult all = RootFinder.FindPaths(fixture.Session, seen.Address, new RootQuery { MaxPaths = 100 });
        Assert.Equal("GcTriage.Fixture.Cache.s_seen", Assert.Single(all.Paths).RootName);
        Assert.False(all.Truncated);
    }

    [Fact]
    public void HashSetAndBoolArrayStaticsAreNamed()
    {
        GcCollectionInfo set = Collection(c => c.Kind == "HashSet" && c.KeyType == "System.Int32" && c.Count == 750);
        Assert.Equal("GcTriage.Fixture.HeapMode.s_intSet", RootFinder.FindPaths(fixture.Session, set.Address, new RootQuery()).Paths[0].RootName);
        GcBitsetInfo flags = BitsetInspector.GetBitsets(fixture.Session, new BitsetQuery())[0];
        Assert.Equal("GcTriage.Fixture.HeapMode.s_flags", RootFinder.FindPaths(fixture.Session, flags.Address, new RootQuery()).Paths[0].RootName);
    }

    [Fact]
    public void ClosureShowsTheEventDelegateAndDisplayClass()
    {
        GcCollectionInfo hidden = Collection(c => c.TypeName == "System.Collections.Generic.Dictionary<System.Int32, System.String>" && c.Count == 10 && c.KeyMax == 9);
        RootSearchResult result = RootFinder.FindPaths(fixture.Session, hidden.Address, new RootQuery { MaxPaths = 1 });
        GcRootPath path = Assert.Single(result.Paths);
        Assert.Equal("StaticField", path.RootKind);
        Assert.Equal("GcTriage.Fixture.Events.Tick", path.RootName);
        Assert.Equal(2, path.Depth);
        Assert.Equal("System.Action", path.Chain[0].TypeName);
        Assert.StartsWith("GcTriage.Fixture.HeapMode+<>c__DisplayClass", path.Chain[1].TypeName);
        Assert.Equal("_target", path.Chain[1].FieldName);
        Assert.Equal("hidden", path.Chain[2].FieldName);
        Assert.Equal(hidden.Address, path.Chain[2].Address);
    }

    [Fact]
    public void PinnedArrayHasAStaticAndAHandlePath()
    {
        GcObjectInfo pinned = Assert.Single(HeapQueries.GetObjects(fixture.Session, new HeapQuery { TypeName = ["System.Byte[]"], MinSize = 5024, MaxSize = 5024 }));
        RootSearchResult result = RootFinder.FindPaths(fixture.Session, pinned.Address, new RootQuery { MaxPaths = 10 });
        Assert.Contains(result.Paths, p => p.RootKind == "StaticField" && p.RootName == "GcTriage.Fixture.HeapMode.s_handlePinnedArray" && p.Depth == 0);
        Assert.Contains(result.Paths, p => p.RootKind == "PinnedHandle" && p.Depth == 0);
        Assert.Equal(result.Paths.Select(p => p.Depth).Order(), result.Paths.Select(p => p.Depth));
    }

    [Fact]
    public void DeadObjectIsUnreachableNotAnError()
    {
        // The Entry[] arrays Dictionary<long,bool> left behind when it grew are garbage (allocated in a no-GC region).
        GcObjectInfo dead = HeapQueries.GetObjects(fixture.Session, new HeapQuery { TypeName = ["System.Collections.Generic.Dictionary<System.Int64, System.Boolean>+Entry*"] })
            .OrderByDescending(o => o.Size).Skip(1).First();
        RootSearchResult result = RootFinder.FindPaths(fixture.Session, dead.Address, new RootQuery());
        Assert.Empty(result.Paths);
        Assert.False(result.Truncated);
        Assert.True(result.Unreachable);
    }

    [Fact]
    public void ExhaustedBudgetSaysTruncatedNeverUnreachable()
    {
        GcObjectInfo dead = HeapQueries.GetObjects(fixture.Session, new HeapQuery { TypeName = ["System.Collections.Generic.Dictionary<System.Int64, System.Boolean>+Entry*"] })
            .OrderByDescending(o => o.Size).Skip(1).First();
        RootSearchResult result = RootFinder.FindPaths(fixture.Session, dead.Address, new RootQuery { Budget = new GraphBudget(1, TimeSpan.FromMinutes(1)) });
        Assert.True(result.Truncated);
        Assert.False(result.Unreachable);
    }

    [Fact]
    public void AddressInsideAnObjectIsRefused()
    {
        GcCollectionInfo seen = Collection(c => c.TypeName == "System.Collections.Generic.Dictionary<System.Int64, System.Boolean>");
        var e = Assert.Throws<InvalidAddressException>(() => RootFinder.FindPaths(fixture.Session, seen.Address + 8, new RootQuery()));
        Assert.Contains("points inside", e.Message);
        Assert.Throws<InvalidAddressException>(() => RootFinder.FindPaths(fixture.Session, 0x10, new RootQuery()));
    }

    [Fact]
    public void CancelDuringTheSearchStopsIt()
    {
        GcCollectionInfo seen = Collection(c => c.TypeName == "System.Collections.Generic.Dictionary<System.Int64, System.Boolean>");
        fixture.Session.GetIndex();
        using var cts = new CancellationTokenSource();
        var progress = new CancelOnReport(cts, "Finding roots");
        Assert.ThrowsAny<OperationCanceledException>(() => RootFinder.FindPaths(fixture.Session, seen.Address, new RootQuery(), cts.Token, progress));
        Assert.True(progress.Reports > 0);
    }

    /// <summary>Cancels (as Ctrl+C would) from inside the search, the first time it reports the given activity.</summary>
    private sealed class CancelOnReport(CancellationTokenSource cts, string activity) : IProgress<GcProgress>
    {
        public int Reports { get; private set; }

        public void Report(GcProgress value)
        {
            if (value.Activity == activity)
            {
                Reports++;
                cts.Cancel();
            }
        }
    }

    [Fact]
    public void CancelledSearchStops()
    {
        GcCollectionInfo seen = Collection(c => c.TypeName == "System.Collections.Generic.Dictionary<System.Int64, System.Boolean>");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => RootFinder.FindPaths(fixture.Session, seen.Address, new RootQuery(), cts.Token));
    }
}
