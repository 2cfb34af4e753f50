namespace GcTriage.Core.Tests;

/// <summary>
/// Copies of the heap fixture's dump, damaged in the file at the target addresses of real objects (through the ELF core's
/// PT_LOAD headers): the walk must count the damaged object as invalid, resynchronise, keep every other figure, and say the
/// dump is damaged, rather than believe a length that runs past its segment.
/// </summary>
public sealed class DamagedDumpTests : IClassFixture<HeapDumpFixture>
{
    private readonly HeapDumpFixture _dump;

    public DamagedDumpTests(HeapDumpFixture dump) => _dump = dump;

    private string Copy(string name)
    {
        string copy = _dump.Temp.File(name);
        File.Copy(_dump.DumpPath, copy, overwrite: true);
        return copy;
    }

    private static Dictionary<string, (long Count, long Bytes)> Stats(HeapIndex index)
    {
        var stats = new Dictionary<string, (long Count, long Bytes)>();
        foreach (var (_, e) in index.Enumerate())
        {
            string name = index.Types[e.TypeId].Name;
            stats.TryGetValue(name, out var s);
            stats[name] = (s.Count + 1, s.Bytes + index.SizeOf(e));
        }

        return stats;
    }

    [Fact]
    public void An_array_length_past_its_segment_is_an_invalid_object_and_the_rest_is_counted()
    {
        HeapIndex healthy = _dump.Session.GetIndex();
        Assert.False(healthy.IsDamaged);
        Assert.False(_dump.Session.IsDamaged);
        GcObjectInfo array = HeapQueries.GetObjects(_dump.Session, new HeapQuery { TypeName = new[] { "GcTriage.Fixture.Widget[]" } }).Single();

        string copy = Copy("array-length.dmp");
        var elf = new ElfCoreFile(copy);
        Assert.Equal(1000u, elf.ReadUInt32(array.Address + 8));
        elf.WriteUInt32(array.Address + 8, 0x7fff_ffff);

        using DumpSession damaged = DumpSession.Open(copy);
        HeapIndex index = damaged.GetIndex();
        Assert.True(index.IsDamaged);
        Assert.True(damaged.IsDamaged);
        Assert.Equal(1, index.InvalidObjects);
        Assert.Equal(1, damaged.InvalidObjectCount);

        var before = Stats(healthy);
        var after = Stats(index);
        Assert.False(after.ContainsKey("GcTriage.Fixture.Widget[]"));
        long largest = after.Values.Max(s => s.Bytes);
        Assert.True(largest < new FileInfo(copy).Length, $"a type of {largest:N0} bytes in a dump of {new FileInfo(copy).Length:N0}");
        foreach (var (name, s) in before)
        {
            if (name != "GcTriage.Fixture.Widget[]")
            {
                Assert.Equal((name, s), (name, after[name]));
            }
        }

        GcTypeStat widgets = HeapQueries.GetTypeStats(damaged, new HeapQuery { TypeName = new[] { "GcTriage.Fixture.Widget" } }).Single();
        Assert.Equal(1000, widgets.Count);
        Assert.True(widgets.DumpDamaged);
    }

    [Fact]
    public void A_free_block_size_that_overshoots_does_not_hide_the_next_object()
    {
        HeapIndex healthy = _dump.Session.GetIndex();
        var entries = healthy.Enumerate().Select(x => x.Entry).ToList();
        int at = -1;
        for (int i = 0; i + 1 < entries.Count; i++)
        {
            // A free block followed, right after it, by an object that is not free and not the end of its block.
            if (healthy.Types[entries[i].TypeId].IsFree && !healthy.Types[entries[i + 1].TypeId].IsFree
                && entries[i + 1].Address == entries[i].Address + (ulong)healthy.SizeOf(entries[i]) && entries[i + 1].Size >= 24)
            {
                at = i;
                break;
            }
        }

        Assert.True(at >= 0, "the fixture heap has no free block followed by an object");
        HeapIndex.Entry free = entries[at];
        HeapIndex.Entry next = entries[at + 1];

        string copy = Copy("free-size.dmp");
        var elf = new ElfCoreFile(copy);
        uint length = elf.ReadUInt32(free.Address + 8);
        // Eight bytes more: the walk would land inside the next object, on its second word, and lose it.
        elf.WriteUInt32(free.Address + 8, length + 8);

        using DumpSession damaged = DumpSession.Open(copy);
        HeapIndex index = damaged.GetIndex();
        Assert.True(index.IsDamaged);
        long found = index.IndexOf(next.Address);
        Assert.True(found >= 0, $"the object after the damaged free block (0x{next.Address:x}) is missing");
        Assert.Equal(healthy.Types[next.TypeId].Name, index.Types[index.EntryAt(found).TypeId].Name);
        Assert.Equal(next.Size, index.EntryAt(found).Size);
        Assert.True(index.Count >= healthy.Count - 1, $"{healthy.Count - index.Count} objects lost");
    }

    [Fact]
    public void A_damaged_PT_NOTE_is_DumpFormat()
    {
        string copy = Copy("note.dmp");
        var elf = new ElfCoreFile(copy);
        var (offset, size) = elf.Note;
        byte[] garbage = Enumerable.Repeat((byte)0xff, (int)Math.Min(size, 4096)).ToArray();
        elf.WriteAt(offset, garbage);

        var e = Assert.ThrowsAny<GcTriageException>(() =>
        {
            using var s = DumpSession.Open(copy);
            s.GetIndex();
        });
        Assert.Equal("DumpFormat", e.ErrorId);
    }
}
