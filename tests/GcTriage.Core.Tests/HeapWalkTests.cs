using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core.Tests;

/// <summary>
/// The heap index's own header-parsing walk (HeapIndex.Build) against ClrMD's heap.EnumerateObjects(), on real dumps:
/// the same objects at the same addresses, with the same types, sizes and generations.
/// </summary>
public sealed class HeapWalkTests : IClassFixture<HeapDumpFixture>
{
    private readonly HeapDumpFixture _dump;

    public HeapWalkTests(HeapDumpFixture dump) => _dump = dump;

    [Fact]
    public void Walk_equals_ClrMD_type_by_type_count_and_total_size()
    {
        int types = HeapWalkAssert.SameTypeStatsAsClrMD(_dump.Session.Heap);
        Assert.True(types > 20, $"only {types} types on the heap");
    }

    [Fact]
    public void Walk_equals_ClrMD_object_by_object()
    {
        long objects = HeapWalkAssert.SameObjectsAsClrMD(_dump.Session.Heap);
        Assert.True(objects > 2_500, $"only {objects} objects on the heap");
    }

    [Fact]
    public void Walk_finds_the_known_figures()
    {
        HeapIndex index = HeapIndex.Build(_dump.Session.Heap);
        var stats = HeapWalkAssert.StatsByName(index);
        Assert.Equal((1000L, 1000L * 40), stats["GcTriage.Fixture.Widget"]);
        Assert.Equal((777L, 777L * 32), stats["GcTriage.Fixture.Gadget"]);
        Assert.Equal((1L, 8024L), stats["GcTriage.Fixture.Widget[]"]);
        Assert.Equal(0, index.InvalidObjects);
    }

    [Fact]
    public void Index_costs_16_bytes_per_object_plus_its_type_table()
    {
        HeapIndex index = HeapIndex.Build(_dump.Session.Heap);
        Assert.Equal(16 * index.Count + 64L * index.Types.Count, index.IndexBytes);
    }

    [Fact]
    public void ClrMD_walk_and_fast_walk_build_the_same_index()
    {
        HeapIndex fast = HeapIndex.Build(_dump.Session.Heap);
        HeapIndex reference = HeapIndex.BuildWithClrMD(_dump.Session.Heap);
        HeapWalkAssert.SameIndex(reference, fast);
    }
}

/// <summary>
/// The same comparison on a heap where threads hold open allocation contexts in the middle of a gen0 region (the fixture's
/// "bigheap" mode, scaled down, with 4 allocating threads): the walk must step over each context as ClrMD does.
/// </summary>
public sealed class HeapWalkAllocationContextTests : IClassFixture<AllocatingHeapDumpFixture>
{
    private readonly AllocatingHeapDumpFixture _dump;

    public HeapWalkAllocationContextTests(AllocatingHeapDumpFixture dump) => _dump = dump;

    [Fact]
    public void The_dump_has_allocation_contexts_inside_segments()
    {
        ClrHeap heap = _dump.Session.Heap;
        int inside = heap.EnumerateAllocationContexts().Count(c =>
            heap.Segments.Any(s => s.ObjectRange.Start < c.Start && c.End + 24 < s.ObjectRange.End));
        Assert.True(inside >= 2, $"only {inside} allocation contexts lie inside a segment; the skip would not be exercised");
    }

    [Fact]
    public void Walk_equals_ClrMD_type_by_type_count_and_total_size()
    {
        HeapWalkAssert.SameTypeStatsAsClrMD(_dump.Session.Heap);
    }

    [Fact]
    public void Walk_equals_ClrMD_object_by_object()
    {
        HeapWalkAssert.SameObjectsAsClrMD(_dump.Session.Heap);
    }

    [Fact]
    public void Walk_finds_the_known_figures()
    {
        HeapIndex index = HeapIndex.Build(_dump.Session.Heap);
        var stats = HeapWalkAssert.StatsByName(index);
        Assert.Equal((20_000L, 20_000L * 24), stats["GcTriage.Fixture.BigLeaf"]);
        Assert.Equal((20_000L, 20_000L * 40), stats["GcTriage.Fixture.BigPair"]);
        Assert.Equal((20_000L, 20_000L * 40), stats["GcTriage.Fixture.BigRecord"]);
        Assert.Equal((4_000L, 4_000L * 32), stats["GcTriage.Fixture.BigScratch"]);
        Assert.Equal((4L, 4L * (16 + 8 + 8 * 1000)), stats["GcTriage.Fixture.BigScratch[]"]);
        Assert.Equal(0, index.InvalidObjects);
    }
}

/// <summary>A small "bigheap" dump (20,000 of each small type, 4 threads that allocated after the last GC and block).</summary>
public sealed class AllocatingHeapDumpFixture : IDisposable
{
    public AllocatingHeapDumpFixture()
    {
        Temp = new TempDirectory();
        using (var fixture = FixtureProcess.Start("bigheap", new[] { "20000", "20000", "20000", "2000", "20000", "40000", "4" }))
        {
            DumpPath = DumpWriter.Write(fixture.Id, Temp.File("bigheap.dmp"), GcDumpType.Heap, force: false).FullName;
        }

        Session = DumpSession.Open(DumpPath);
    }

    public TempDirectory Temp { get; }
    public string DumpPath { get; }
    public DumpSession Session { get; }

    public void Dispose()
    {
        Session.Dispose();
        Temp.Dispose();
    }
}

internal static class HeapWalkAssert
{
    public static Dictionary<string, (long Count, long Size)> StatsByName(HeapIndex index)
    {
        var stats = new Dictionary<string, (long Count, long Size)>();
        index.ForEach((_, e) =>
        {
            string name = index.Types[e.TypeId].Name;
            stats.TryGetValue(name, out var s);
            stats[name] = (s.Count + 1, s.Size + index.SizeOf(e));
        });
        return stats;
    }

    /// <summary>Count and total size of every method table, walk against ClrMD; returns the number of types.</summary>
    public static int SameTypeStatsAsClrMD(ClrHeap heap)
    {
        HeapIndex index = HeapIndex.Build(heap);
        var walk = new Dictionary<ulong, (string Name, long Count, long Size)>();
        index.ForEach((_, e) =>
        {
            HeapType t = index.Types[e.TypeId];
            walk.TryGetValue(t.MethodTable, out var s);
            walk[t.MethodTable] = (t.Name, s.Count + 1, s.Size + index.SizeOf(e));
        });

        var clrmd = new Dictionary<ulong, (string Name, long Count, long Size)>();
        foreach (ClrObject obj in heap.EnumerateObjects())
        {
            Assert.NotNull(obj.Type);
            clrmd.TryGetValue(obj.Type!.MethodTable, out var s);
            clrmd[obj.Type.MethodTable] = (obj.Type.Name ?? $"<unknown type 0x{obj.Type.MethodTable:x}>", s.Count + 1, s.Size + (long)obj.Size);
        }

        foreach (var (mt, expected) in clrmd.OrderBy(kv => kv.Key))
        {
            Assert.True(walk.TryGetValue(mt, out var actual), $"{expected.Name} (MT {mt:x}): {expected.Count} objects in ClrMD's walk, none in the index");
            Assert.Equal(expected, actual);
        }

        Assert.Equal(clrmd.Keys.Order(), walk.Keys.Order());
        Assert.Equal(clrmd.Values.Sum(v => v.Count), index.Count);
        return walk.Count;
    }

    /// <summary>Every object, in address order: address, method table and size; returns the number of objects.</summary>
    public static long SameObjectsAsClrMD(ClrHeap heap)
    {
        HeapIndex index = HeapIndex.Build(heap);
        using IEnumerator<(long Index, HeapIndex.Entry Entry)> walk = index.Enumerate().GetEnumerator();
        long n = 0;
        foreach (ClrObject obj in heap.Segments.OrderBy(s => s.Start).SelectMany(s => s.EnumerateObjects()))
        {
            Assert.True(walk.MoveNext(), $"the index ends after {n} objects; ClrMD has one at {obj.Address:x}");
            HeapIndex.Entry e = walk.Current.Entry;
            if (e.Address != obj.Address || index.Types[e.TypeId].MethodTable != obj.Type?.MethodTable || index.SizeOf(e) != (long)obj.Size)
            {
                Assert.Fail($"object #{n}: index has {e.Address:x} {index.Types[e.TypeId].Name} {index.SizeOf(e)} bytes, ClrMD {obj.Address:x} {obj.Type?.Name} {obj.Size} bytes");
            }

            n++;
        }

        Assert.False(walk.MoveNext(), $"the index has more objects than ClrMD's {n}");
        return n;
    }

    public static void SameIndex(HeapIndex expected, HeapIndex actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.InvalidObjects, actual.InvalidObjects);
        Assert.Equal(expected.IndexBytes, actual.IndexBytes);
        using var a = actual.Enumerate().GetEnumerator();
        foreach (var (i, e) in expected.Enumerate())
        {
            Assert.True(a.MoveNext());
            Assert.Equal(i, a.Current.Index);
            HeapIndex.Entry f = a.Current.Entry;
            if (e.Address != f.Address || e.Generation != f.Generation || expected.SizeOf(e) != actual.SizeOf(f)
                || expected.Types[e.TypeId].MethodTable != actual.Types[f.TypeId].MethodTable)
            {
                Assert.Fail($"#{i}: ClrMD walk {e.Address:x} {expected.Types[e.TypeId].Name} {e.Generation} {expected.SizeOf(e)}, fast walk {f.Address:x} {actual.Types[f.TypeId].Name} {f.Generation} {actual.SizeOf(f)}");
            }
        }

        Assert.False(a.MoveNext());
    }
}
