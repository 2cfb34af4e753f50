using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>One type seen on the heap.</summary>
public sealed class HeapType
{
    internal HeapType(int id, ulong methodTable, string name, ClrType? clrType)
    {
        Id = id;
        MethodTable = methodTable;
        Name = name;
        ClrType = clrType;
    }

    public int Id { get; }
    public ulong MethodTable { get; }
    public string Name { get; }
    internal ClrType? ClrType { get; }
    public bool IsFree => ClrType?.IsFree == true;
}

/// <summary>
/// The result of the one heap walk per dump: every object's address, type, size and generation in 16 bytes, ordered by address,
/// so that statistics, object queries, live marking and collection inspectors never walk the heap again.
/// </summary>
public sealed class HeapIndex
{
    internal const int ChunkShift = 16;
    internal const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;
    private const int TypeBits = 28;
    private const uint TypeMask = (1u << TypeBits) - 1;

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal struct Entry
    {
        public ulong Address;
        public uint TypeAndGeneration;
        public uint Size;

        public readonly int TypeId => (int)(TypeAndGeneration & TypeMask);
        public readonly GcGeneration Generation => (GcGeneration)(TypeAndGeneration >> TypeBits);
    }

    /// <summary>The objects of one segment, in address order, split in fixed-size chunks (no doubling copies on large heaps).</summary>
    internal sealed class Block
    {
        public ulong Start;
        public ulong End;
        public long BaseIndex;
        public int Count;
        public List<Entry[]> Chunks = new();

        public ref Entry this[int i] => ref Chunks[i >> ChunkShift][i & ChunkMask];

        public void Add(in Entry e)
        {
            if ((Count & ChunkMask) == 0)
            {
                Chunks.Add(new Entry[Count == 0 ? 1024 : ChunkSize]);
            }
            else if (Count < ChunkSize && Count == Chunks[0].Length)
            {
                // The first chunk starts small (most segments hold few objects) and grows up to a full chunk.
                var grown = new Entry[Math.Min(ChunkSize, Count * 4)];
                Array.Copy(Chunks[0], grown, Count);
                Chunks[0] = grown;
            }

            Chunks[Count >> ChunkShift][Count & ChunkMask] = e;
            Count++;
        }
    }

    private readonly Block[] _blocks;
    private readonly HeapType[] _types;
    private readonly Dictionary<ulong, long> _largeSizes;

    private HeapIndex(Block[] blocks, HeapType[] types, Dictionary<ulong, long> largeSizes, long count, long invalid)
    {
        _blocks = blocks;
        _types = types;
        _largeSizes = largeSizes;
        Count = count;
        InvalidObjects = invalid;
    }

    /// <summary>Objects in the index (free blocks included, as dumpheap counts them).</summary>
    public long Count { get; }

    /// <summary>Objects whose method table could not be read (a damaged or truncated dump); not in the index.</summary>
    public long InvalidObjects { get; }

    public IReadOnlyList<HeapType> Types => _types;

    /// <summary>Bytes this index takes (16 per object plus its chunk slack and the type table).</summary>
    public long IndexBytes => _blocks.Sum(b => b.Chunks.Sum(c => (long)c.Length * 16)) + _types.Length * 64L;

    internal IReadOnlyList<Block> Blocks => _blocks;

    public static HeapIndex Build(ClrHeap heap, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        ClrSegment[] segments = heap.Segments.OrderBy(s => s.Start).ToArray();
        var blocks = new Block[segments.Length];
        long totalBytes = Math.Max(1, segments.Sum(s => (long)(s.ObjectRange.End - s.ObjectRange.Start)));
        long doneBytes = 0;
        long objects = 0;
        long invalid = 0;
        var typeIds = new Dictionary<ulong, int>();
        var typeList = new List<ClrType>();
        var largeSizes = new ConcurrentDictionary<ulong, long>();

        progress?.Report(new GcProgress("Walking heap", $"{segments.Length} segments", 0));

        // Largest segments first so that the two (or more) workers finish together.
        int[] order = Enumerable.Range(0, segments.Length).OrderByDescending(i => segments[i].ObjectRange.Length).ToArray();
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.ForEach(order, options, () => new Dictionary<ulong, int>(), (i, _, localTypes) =>
        {
            ClrSegment segment = segments[i];
            var block = new Block { Start = segment.Start, End = segment.End };
            GcGeneration fixedGeneration = GenerationOf(segment.Kind);
            bool ephemeral = segment.Kind == GCSegmentKind.Ephemeral;
            long localInvalid = 0;
            int sinceCheck = 0;
            foreach (ClrObject obj in segment.EnumerateObjects())
            {
                ClrType? type = obj.Type;
                if (type is null)
                {
                    localInvalid++;
                    continue;
                }

                if (!localTypes.TryGetValue(type.MethodTable, out int id))
                {
                    lock (typeIds)
                    {
                        if (!typeIds.TryGetValue(type.MethodTable, out id))
                        {
                            id = typeList.Count;
                            typeList.Add(type);
                            typeIds.Add(type.MethodTable, id);
                        }
                    }

                    localTypes[type.MethodTable] = id;
                }

                GcGeneration generation = ephemeral ? EphemeralGeneration(segment, obj.Address) : fixedGeneration;
                ulong size = obj.Size;
                if (size >= uint.MaxValue)
                {
                    largeSizes[obj.Address] = (long)size;
                }

                block.Add(new Entry
                {
                    Address = obj.Address,
                    TypeAndGeneration = (uint)id | ((uint)generation << TypeBits),
                    Size = size >= uint.MaxValue ? uint.MaxValue : (uint)size,
                });

                if (++sinceCheck == 65536)
                {
                    sinceCheck = 0;
                    cancellationToken.ThrowIfCancellationRequested();
                    long seen = Interlocked.Add(ref objects, 65536);
                    progress?.Report(new GcProgress("Walking heap", $"{seen:N0} objects", (int)(100 * Interlocked.Read(ref doneBytes) / totalBytes)));
                }
            }

            Interlocked.Add(ref objects, sinceCheck);
            Interlocked.Add(ref invalid, localInvalid);
            Interlocked.Add(ref doneBytes, (long)segment.ObjectRange.Length);
            blocks[i] = block;
            return localTypes;
        }, _ => { });

        long baseIndex = 0;
        foreach (Block b in blocks)
        {
            b.BaseIndex = baseIndex;
            baseIndex += b.Count;
        }

        var types = new HeapType[typeList.Count];
        foreach (var (mt, id) in typeIds)
        {
            ClrType t = typeList[id];
            types[id] = new HeapType(id, mt, t.Name ?? $"<unknown type 0x{mt:x}>", t);
        }

        progress?.Report(new GcProgress("Walking heap", $"{baseIndex:N0} objects", 100));
        return new HeapIndex(blocks, types, new Dictionary<ulong, long>(largeSizes), baseIndex, invalid);
    }

    internal static GcGeneration GenerationOf(GCSegmentKind kind) => kind switch
    {
        GCSegmentKind.Generation0 => GcGeneration.Gen0,
        GCSegmentKind.Generation1 => GcGeneration.Gen1,
        GCSegmentKind.Generation2 => GcGeneration.Gen2,
        GCSegmentKind.Large => GcGeneration.LOH,
        GCSegmentKind.Pinned => GcGeneration.POH,
        GCSegmentKind.Frozen => GcGeneration.Frozen,
        _ => GcGeneration.Unknown,
    };

    private static GcGeneration EphemeralGeneration(ClrSegment segment, ulong address)
    {
        if (segment.Generation0.Contains(address))
        {
            return GcGeneration.Gen0;
        }

        if (segment.Generation1.Contains(address))
        {
            return GcGeneration.Gen1;
        }

        return GcGeneration.Gen2;
    }

    internal long SizeOf(in Entry e) => e.Size == uint.MaxValue && _largeSizes.TryGetValue(e.Address, out long big) ? big : e.Size;

    /// <summary>Every object, in address order, with its position in the index (the key of live bitmaps).</summary>
    internal IEnumerable<(long Index, Entry Entry)> Enumerate()
    {
        foreach (Block b in _blocks)
        {
            for (int i = 0; i < b.Count; i++)
            {
                yield return (b.BaseIndex + i, b[i]);
            }
        }
    }

    /// <summary>Visits every object without allocating an enumerator per object (hot loops).</summary>
    internal void ForEach(Action<long, Entry> visit, CancellationToken cancellationToken = default)
    {
        foreach (Block b in _blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int c = 0; c < b.Chunks.Count; c++)
            {
                Entry[] chunk = b.Chunks[c];
                int n = Math.Min(chunk.Length, b.Count - (c << ChunkShift));
                long baseIndex = b.BaseIndex + ((long)c << ChunkShift);
                for (int i = 0; i < n; i++)
                {
                    visit(baseIndex + i, chunk[i]);
                }
            }
        }
    }

    /// <summary>Position of the object that starts at <paramref name="address"/>, or -1.</summary>
    public long IndexOf(ulong address)
    {
        Block? b = FindBlock(address);
        if (b is null)
        {
            return -1;
        }

        int lo = 0;
        int hi = b.Count - 1;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            ulong a = b[mid].Address;
            if (a == address)
            {
                return b.BaseIndex + mid;
            }

            if (a < address)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>The object that contains <paramref name="address"/> (an interior pointer), or -1.</summary>
    public long IndexContaining(ulong address)
    {
        Block? b = FindBlock(address);
        if (b is null || b.Count == 0)
        {
            return -1;
        }

        int lo = 0;
        int hi = b.Count - 1;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi + 1) >> 1);
            if (b[mid].Address <= address)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        ref Entry e = ref b[lo];
        return e.Address <= address && address < e.Address + (ulong)SizeOf(e) ? b.BaseIndex + lo : -1;
    }

    internal Entry EntryAt(long index)
    {
        int lo = 0;
        int hi = _blocks.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (_blocks[mid].BaseIndex <= index)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        // Several empty blocks can share a BaseIndex: step to the one that holds the index.
        while (lo < _blocks.Length && index >= _blocks[lo].BaseIndex + _blocks[lo].Count)
        {
            lo++;
        }

        Block block = _blocks[lo];
        return block[(int)(index - block.BaseIndex)];
    }

    private Block? FindBlock(ulong address)
    {
        int lo = 0;
        int hi = _blocks.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            Block b = _blocks[mid];
            if (address < b.Start)
            {
                hi = mid - 1;
            }
            else if (address >= b.End)
            {
                lo = mid + 1;
            }
            else
            {
                return b;
            }
        }

        return null;
    }

    /// <summary>The object at an index position, as the public model.</summary>
    public GcObjectInfo ToObjectInfo(long index, string? dumpPath)
    {
        Entry e = EntryAt(index);
        HeapType t = _types[e.TypeId];
        return new GcObjectInfo { Address = e.Address, TypeName = t.Name, MethodTable = t.MethodTable, Size = SizeOf(e), Generation = e.Generation, DumpPath = dumpPath };
    }
}
