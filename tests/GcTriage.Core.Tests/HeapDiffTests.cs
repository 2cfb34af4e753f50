namespace GcTriage.Core.Tests;

/// <summary>Two dumps of two runs of the fixture's "heap" mode: the same exactly known heap, made twice.</summary>
public sealed class TwoHeapDumpsFixture : IDisposable
{
    public TwoHeapDumpsFixture()
    {
        First = new HeapDumpFixture();
        Second = new HeapDumpFixture();
    }

    public HeapDumpFixture First { get; }
    public HeapDumpFixture Second { get; }

    public void Dispose()
    {
        First.Dispose();
        Second.Dispose();
    }
}

/// <summary>Compare-GcHeap's Core: deltas by type between dumps and between sets of GcTypeStat rows.</summary>
public sealed class HeapDiffTests : IClassFixture<TwoHeapDumpsFixture>
{
    private readonly TwoHeapDumpsFixture _dumps;

    public HeapDiffTests(TwoHeapDumpsFixture dumps)
    {
        _dumps = dumps;
        Assert.True(dumps.First.NoGcRegion && dumps.Second.NoGcRegion, "the fixture could not enter its no-GC region; the figures would not be exact");
    }

    [Fact]
    public void Two_dumps_of_the_same_heap_have_no_delta_for_the_fixture_types()
    {
        var deltas = HeapDiff.Compare(_dumps.First.Session, _dumps.Second.Session, new HeapQuery { TypeName = new[] { "GcTriage.Fixture.*" } });
        Assert.Contains(deltas, d => d.TypeName == "GcTriage.Fixture.Widget");
        Assert.All(deltas, d =>
        {
            Assert.Equal(0, d.CountDelta);
            Assert.Equal(0, d.SizeDelta);
            Assert.Equal(_dumps.First.DumpPath, d.ReferencePath);
            Assert.Equal(_dumps.Second.DumpPath, d.DifferencePath);
        });
        GcTypeDelta widget = Assert.Single(deltas, d => d.TypeName == "GcTriage.Fixture.Widget");
        Assert.Equal(1000, widget.CountBefore);
        Assert.Equal(1000, widget.CountAfter);
        Assert.Equal(40_000, widget.SizeAfter);
        GcTypeDelta gadget = Assert.Single(deltas, d => d.TypeName == "GcTriage.Fixture.Gadget");
        Assert.Equal(777, gadget.CountAfter);
    }

    [Fact]
    public void Live_compares_reachable_objects_only()
    {
        var deltas = HeapDiff.Compare(_dumps.First.Session, _dumps.Second.Session, new HeapQuery { TypeName = new[] { "GcTriage.Fixture.Gadget" }, Live = true });
        GcTypeDelta gadget = Assert.Single(deltas);
        Assert.Equal(500, gadget.CountBefore);
        Assert.Equal(500, gadget.CountAfter);
        Assert.Equal(500 * 32, gadget.SizeAfter);
        Assert.True(gadget.Live);
        Assert.False(gadget.Truncated);
    }

    [Fact]
    public void An_edited_snapshot_gives_the_exact_delta_and_one_sided_types_get_zeros()
    {
        var today = HeapQueries.GetTypeStats(_dumps.Second.Session, new HeapQuery());
        // Last week's snapshot: 900 Widgets instead of 1000, no Gadget row at all, and a type that no longer exists.
        var lastWeek = HeapQueries.GetTypeStats(_dumps.First.Session, new HeapQuery())
            .Where(s => s.TypeName != "GcTriage.Fixture.Gadget")
            .Select(s => s.TypeName == "GcTriage.Fixture.Widget" ? new GcTypeStat { TypeName = s.TypeName, Count = 900, TotalSize = 900 * 40 } : s)
            .Append(new GcTypeStat { TypeName = "Acme.Gone", Count = 3, TotalSize = 96 })
            .ToList();

        var deltas = HeapDiff.Compare(lastWeek, today);

        GcTypeDelta widget = Assert.Single(deltas, d => d.TypeName == "GcTriage.Fixture.Widget");
        Assert.Equal(900, widget.CountBefore);
        Assert.Equal(1000, widget.CountAfter);
        Assert.Equal(100, widget.CountDelta);
        Assert.Equal(4000, widget.SizeDelta);

        GcTypeDelta gadget = Assert.Single(deltas, d => d.TypeName == "GcTriage.Fixture.Gadget");
        Assert.Equal(0, gadget.CountBefore);
        Assert.Equal(0, gadget.SizeBefore);
        Assert.Equal(777 * 32, gadget.SizeDelta);

        GcTypeDelta gone = Assert.Single(deltas, d => d.TypeName == "Acme.Gone");
        Assert.Equal(0, gone.CountAfter);
        Assert.Equal(-96, gone.SizeDelta);

        Assert.Equal(deltas.OrderByDescending(d => d.SizeDelta).Select(d => d.SizeDelta), deltas.Select(d => d.SizeDelta));
        Assert.Equal(777 * 32 + 4000 - 96, deltas.Where(d => d.TypeName.StartsWith("GcTriage.Fixture.", StringComparison.Ordinal) || d.TypeName == "Acme.Gone").Sum(d => d.SizeDelta));
    }

    [Fact]
    public void Rows_of_one_type_name_are_added_together_and_filtered_by_wildcard()
    {
        var before = new[]
        {
            new GcTypeStat { TypeName = "A.B", Count = 1, TotalSize = 10 },
            new GcTypeStat { TypeName = "A.B", Count = 2, TotalSize = 20 },
            new GcTypeStat { TypeName = "C", Count = 5, TotalSize = 50 },
        };
        var after = new[] { new GcTypeStat { TypeName = "A.B", Count = 4, TotalSize = 45 } };
        GcTypeDelta ab = Assert.Single(HeapDiff.Compare(before, after, new[] { "a.*" }));
        Assert.Equal(3, ab.CountBefore);
        Assert.Equal(30, ab.SizeBefore);
        Assert.Equal(15, ab.SizeDelta);
        Assert.False(ab.Live);
    }
}
