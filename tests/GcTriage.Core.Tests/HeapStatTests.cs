namespace GcTriage.Core.Tests;

/// <summary>Heap statistics and object queries against the exactly known heap of the fixture's "heap" mode.</summary>
public sealed class HeapStatTests : IClassFixture<HeapDumpFixture>
{
    // Capacities a Dictionary grows through from empty to 142,858 entries (HashHelpers.ExpandPrime: the next prime >= 2x, from its table).
    private static readonly long[] s_capacities = { 3, 7, 17, 37, 89, 197, 431, 919, 1931, 4049, 8419, 17519, 36353, 75431, 156437 };
    private const string EntryType = "System.Collections.Generic.Dictionary<System.Int64, System.Boolean>+Entry[]";

    private readonly HeapDumpFixture _dump;

    public HeapStatTests(HeapDumpFixture dump)
    {
        _dump = dump;
        Assert.True(dump.NoGcRegion, "the fixture could not enter its no-GC region; the dead-object figures would not be exact");
    }

    private GcTypeStat Stat(string typeName, bool live = false) =>
        Assert.Single(HeapQueries.GetTypeStats(_dump.Session, new HeapQuery { TypeName = new[] { typeName.Replace("[", "`[").Replace("]", "`]") }, Live = live }));

    [Fact]
    public void Widgets_are_counted_exactly_with_their_generation()
    {
        GcTypeStat widgets = Stat("GcTriage.Fixture.Widget");
        Assert.Equal(1000, widgets.Count);
        Assert.Equal(1000 * 40, widgets.TotalSize);
        Assert.Equal(widgets.TotalSize, widgets.Gen0Size);
        Assert.Equal(8024, Stat("GcTriage.Fixture.Widget[]").TotalSize);
    }

    [Fact]
    public void Dead_gadgets_count_without_Live_and_vanish_with_it()
    {
        Assert.Equal(777, Stat("GcTriage.Fixture.Gadget").Count);
        Assert.Equal(777 * 32, Stat("GcTriage.Fixture.Gadget").TotalSize);
        GcTypeStat live = Stat("GcTriage.Fixture.Gadget", live: true);
        Assert.Equal(500, live.Count);
        Assert.Equal(500 * 32, live.TotalSize);
        Assert.True(live.Live);
        Assert.False(live.Truncated);
    }

    [Fact]
    public void The_arrays_a_resized_dictionary_left_behind_are_dead()
    {
        GcTypeStat all = Stat(EntryType);
        Assert.Equal(s_capacities.Length, all.Count);
        Assert.Equal(s_capacities.Sum(c => 24 + 24 * c), all.TotalSize);
        // Entry arrays over 85,000 bytes (capacity >= 3,541) were allocated on the LOH.
        Assert.Equal(s_capacities.Where(c => 24 + 24 * c >= 85_000).Sum(c => 24 + 24 * c), all.LohSize);

        GcTypeStat live = Stat(EntryType, live: true);
        Assert.Equal(1, live.Count);
        Assert.Equal(24 + 24 * 156_437, live.TotalSize);
        Assert.Equal(live.TotalSize, live.LohSize);
    }

    [Fact]
    public void Large_bool_array_is_on_the_LOH_and_the_pinned_array_on_the_POH()
    {
        GcObjectInfo flags = Assert.Single(HeapQueries.GetObjects(_dump.Session, new HeapQuery { TypeName = new[] { "System.Boolean`[`]" }, MinSize = 1_000_000 }));
        Assert.Equal(1_000_024, flags.Size);
        Assert.Equal(GcGeneration.LOH, flags.Generation);

        var pinned = HeapQueries.GetObjects(_dump.Session, new HeapQuery { TypeName = new[] { "System.Byte`[`]" }, Generation = new[] { GcGeneration.POH } }).ToList();
        Assert.Contains(pinned, o => o.Size == 1024);
        Assert.All(pinned, o => Assert.Equal(GcGeneration.POH, o.Generation));
    }

    [Fact]
    public void Generations_add_up_to_the_total_and_rows_are_sorted_by_size()
    {
        var stats = HeapQueries.GetTypeStats(_dump.Session, new HeapQuery());
        Assert.All(stats, s => Assert.Equal(s.TotalSize, s.Gen0Size + s.Gen1Size + s.Gen2Size + s.LohSize + s.PohSize + s.FrozenSize));
        Assert.Equal(stats.OrderByDescending(s => s.TotalSize).Select(s => s.TotalSize), stats.Select(s => s.TotalSize));
        Assert.Equal(_dump.Session.ObjectCount, stats.Sum(s => s.Count));
        Assert.Contains(stats, s => s.TypeName == "Free");
    }

    [Fact]
    public void Wildcards_and_generation_filters_select_types_and_objects()
    {
        var fixtureTypes = HeapQueries.GetTypeStats(_dump.Session, new HeapQuery { TypeName = new[] { "gctriage.fixture.*" } }).Select(s => s.TypeName).ToHashSet();
        Assert.Contains("GcTriage.Fixture.Widget", fixtureTypes);
        Assert.Contains("GcTriage.Fixture.Gadget[]", fixtureTypes);
        Assert.All(fixtureTypes, t => Assert.StartsWith("GcTriage.Fixture.", t));

        var loh = HeapQueries.GetTypeStats(_dump.Session, new HeapQuery { Generation = new[] { GcGeneration.LOH } });
        Assert.All(loh, s => Assert.Equal(s.TotalSize, s.LohSize));
        Assert.Contains(loh, s => s.TypeName == "System.Boolean[]" && s.Count == 1);
    }

    [Fact]
    public void The_heap_is_walked_once_per_session()
    {
        HeapIndex first = _dump.Session.GetIndex();
        _ = HeapQueries.GetTypeStats(_dump.Session, new HeapQuery { TypeName = new[] { "*Widget*" } });
        Assert.Same(first, _dump.Session.GetIndex());
        Assert.True(_dump.Session.IsIndexed);
        Assert.Equal(first.Count, _dump.Session.ObjectCount);
        Assert.Equal(16, System.Runtime.CompilerServices.Unsafe.SizeOf<HeapIndex.Entry>());
    }

    [Fact]
    public void Object_by_address_and_a_bad_address()
    {
        GcObjectInfo widget = HeapQueries.GetObjects(_dump.Session, new HeapQuery { TypeName = new[] { "GcTriage.Fixture.Widget" } }).First();
        GcObjectInfo again = HeapQueries.GetObject(_dump.Session, widget.Address);
        Assert.Equal(widget.TypeName, again.TypeName);
        Assert.Equal(40, again.Size);

        var e = Assert.Throws<InvalidAddressException>(() => HeapQueries.GetObject(_dump.Session, widget.Address + 8));
        Assert.Equal("InvalidAddress", e.ErrorId);
        Assert.Contains("inside", e.Message);
        Assert.Equal(widget.Address, HeapQueries.GetObject(_dump.Session, widget.Address + 8, interior: true).Address);
        Assert.Throws<InvalidAddressException>(() => HeapQueries.GetObject(_dump.Session, 0x10));
    }

    [Fact]
    public void The_session_reports_runtime_mode_and_the_dac_it_matched()
    {
        string runtimeFolder = Path.GetDirectoryName(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/'))!;
        Assert.Equal(Path.GetFileName(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/')), _dump.Session.RuntimeVersion);
        Assert.Equal("Workstation", _dump.Session.GcMode);
        Assert.Equal(1, _dump.Session.HeapCount);
        Assert.Equal("RuntimeFolder", _dump.Session.Dac.Source);
        Assert.StartsWith(runtimeFolder, _dump.Session.Dac.DacPath);
        Assert.EndsWith(DacLocator.DacFileName, _dump.Session.Dac.DacPath);
    }
}
