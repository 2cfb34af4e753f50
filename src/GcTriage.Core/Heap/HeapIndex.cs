using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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

    /// <summary>
    /// Objects the walk could not believe, left out of the index: a method table no type has, or a size or array length that runs
    /// past its segment or past the dump's memory (a damaged or truncated dump). The walk resynchronises after each where it can.
    /// </summary>
    public long InvalidObjects { get; }

    /// <summary>True when the walk met damaged objects: figures from this index leave them out.</summary>
    public bool IsDamaged => InvalidObjects > 0;

    public IReadOnlyList<HeapType> Types => _types;

    /// <summary>Bytes this index takes (16 per object plus its chunk slack and the type table).</summary>
    public long IndexBytes => _blocks.Sum(b => b.Chunks.Sum(c => (long)c.Length * 16)) + _types.Length * 64L;

    internal IReadOnlyList<Block> Blocks => _blocks;

    public static HeapIndex Build(ClrHeap heap, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        IDataReader reader = heap.Runtime.DataTarget.DataReader;
        if (reader.PointerSize != 8 || !BitConverter.IsLittleEndian)
        {
            // The header parser below knows the 64-bit little-endian object layout only; ClrMD's own walk covers the rest.
            return BuildWithClrMD(heap, cancellationToken, progress);
        }

        return new HeapWalker(heap, reader).Run(cancellationToken, progress);
    }

    /// <summary>
    /// Builds the index by ClrMD's own object enumeration (one <see cref="ClrSegment"/> per worker). The reference walk: slower than
    /// <see cref="HeapWalker"/>, used where the header parser does not apply (32-bit targets), and by the tests as the oracle.
    /// </summary>
    internal static HeapIndex BuildWithClrMD(ClrHeap heap, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
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
            long sinceCheck = 0;
            long untilCheck = 1 << 14;
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

                // Checked by work done (an object, plus one unit per 4 KB it spans), never on an exact count.
                sinceCheck++;
                untilCheck -= 1 + (long)(size >> 12);
                if (untilCheck <= 0)
                {
                    untilCheck = 1 << 14;
                    cancellationToken.ThrowIfCancellationRequested();
                    long seen = Interlocked.Add(ref objects, sinceCheck);
                    sinceCheck = 0;
                    progress?.Report(new GcProgress("Walking heap", $"{seen:N0} objects", (int)(100 * Interlocked.Read(ref doneBytes) / totalBytes)));
                }
            }

            Interlocked.Add(ref objects, sinceCheck);
            Interlocked.Add(ref invalid, localInvalid);
            Interlocked.Add(ref doneBytes, (long)segment.ObjectRange.Length);
            TrimLastChunk(block);
            blocks[i] = block;
            return localTypes;
        }, _ => { });

        return Assemble(blocks, typeList, typeIds.Select(kv => (kv.Value, kv.Key)), largeSizes, invalid, progress);
    }

    /// <summary>
    /// The end of either walk: numbers the blocks' objects in address order (BaseIndex), names each type id once, and makes the index.
    /// </summary>
    private static HeapIndex Assemble(Block[] blocks, IReadOnlyList<ClrType> typeList, IEnumerable<(int Id, ulong MethodTable)> typeIds,
        IDictionary<ulong, long> largeSizes, long invalid, IProgress<GcProgress>? progress)
    {
        long baseIndex = 0;
        foreach (Block b in blocks)
        {
            b.BaseIndex = baseIndex;
            baseIndex += b.Count;
        }

        var types = new HeapType[typeList.Count];
        foreach (var (id, mt) in typeIds)
        {
            ClrType t = typeList[id];
            types[id] = new HeapType(id, mt, t.Name ?? $"<unknown type 0x{mt:x}>", t);
        }

        progress?.Report(new GcProgress("Walking heap", $"{baseIndex:N0} objects", 100));
        return new HeapIndex(blocks, types, new Dictionary<ulong, long>(largeSizes), baseIndex, invalid);
    }

    /// <summary>Cuts the unused tail of each block's last chunk, so that the index costs 16 bytes per object.</summary>
    private static void TrimLastChunk(Block block)
    {
        if (block.Chunks.Count == 0)
        {
            return;
        }

        int last = block.Chunks.Count - 1;
        int used = block.Count - (last << ChunkShift);
        Entry[] chunk = block.Chunks[last];
        if (used < chunk.Length)
        {
            Array.Resize(ref chunk, used);
            block.Chunks[last] = chunk;
        }
    }

    /// <summary>
    /// The fast heap walk: reads each segment's memory in large blocks (IDataReader.Read, 1 MB windows; 64 KB on LOH/POH/frozen segments, where
    /// only the headers of big objects are needed) and parses the
    /// object headers itself: method table at the object, length at object+8 for arrays and strings, size = base size +
    /// component size * length, aligned to 8 to step to the next object, as ClrMD's SegmentObjectEnumerator does; allocation
    /// contexts (the unused tails of threads' allocation buffers) are skipped the same way. Each method table is resolved once
    /// through ClrMD (<see cref="ClrHeap.GetObjectType"/>), so type identities, names, free blocks and sizes are ClrMD's.
    /// Segments are walked in parallel, largest first. Counts and sizes equal ClrMD's heap.EnumerateObjects() (tested in
    /// HeapWalkTests), hence dotnet-dump's dumpheap -stat.
    /// </summary>
    private sealed class HeapWalker
    {
        private const int PointerSize = 8;
        private const uint MinObjectSize = 3 * PointerSize;
        private const int SmallWindow = 1 << 20;
        private const int LargeWindow = 1 << 16;
        private const int HeaderBytes = 2 * PointerSize;
        private const long WorkPerCheck = 1 << 14;

        private readonly ClrHeap _heap;
        private readonly IDataReader _reader;
        private readonly ulong _stringMethodTable;
        private readonly object _typeLock = new();
        private readonly Dictionary<ulong, WalkType> _typesByMethodTable = new();
        private readonly List<ClrType> _typeList = new();
        private readonly MemoryRange[] _allocationContexts;
        private readonly MemoryRange[] _segmentRanges;

        public HeapWalker(ClrHeap heap, IDataReader reader)
        {
            _heap = heap;
            _reader = reader;
            _stringMethodTable = heap.StringType.MethodTable;
            _allocationContexts = heap.EnumerateAllocationContexts().Where(r => r.Start < r.End).OrderBy(r => r.Start).ToArray();
            _segmentRanges = heap.Segments.Select(s => new MemoryRange(s.Start, s.End)).Where(r => r.Start < r.End).OrderBy(r => r.Start).ToArray();
        }

        public HeapIndex Run(CancellationToken cancellationToken, IProgress<GcProgress>? progress)
        {
            ClrSegment[] segments = _heap.Segments.OrderBy(s => s.Start).ToArray();
            var blocks = new Block[segments.Length];
            long totalBytes = Math.Max(1, segments.Sum(s => (long)(s.ObjectRange.End - s.ObjectRange.Start)));
            long doneBytes = 0;
            long objects = 0;
            long invalid = 0;
            var largeSizes = new ConcurrentDictionary<ulong, long>();

            progress?.Report(new GcProgress("Walking heap", $"{segments.Length} segments", 0));

            // Largest segments first so that the workers finish together.
            int[] order = Enumerable.Range(0, segments.Length).OrderByDescending(i => segments[i].ObjectRange.Length).ToArray();
            var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
            Parallel.ForEach(order, options, () => new WorkerState(), (i, _, state) =>
            {
                ClrSegment segment = segments[i];
                var block = new Block { Start = segment.Start, End = segment.End };
                long counted = WalkSegment(segment, block, state, largeSizes, ref objects, ref doneBytes, totalBytes, cancellationToken, progress);
                TrimLastChunk(block);
                Interlocked.Add(ref objects, counted);
                Interlocked.Add(ref doneBytes, (long)segment.ObjectRange.Length);
                blocks[i] = block;
                return state;
            }, state => Interlocked.Add(ref invalid, state.Invalid));

            return Assemble(blocks, _typeList, _typesByMethodTable.Where(kv => kv.Value.Id >= 0).Select(kv => (kv.Value.Id, kv.Key)), largeSizes, invalid, progress);
        }

        /// <summary>Walks one segment into its block; returns the objects not yet added to the shared progress count.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private long WalkSegment(ClrSegment segment, Block block, WorkerState state, ConcurrentDictionary<ulong, long> largeSizes,
            ref long objects, ref long doneBytes, long totalBytes, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
        {
            ulong end = segment.ObjectRange.End;
            ulong obj = segment.FirstObjectAddress;
            if (obj < segment.ObjectRange.Start || obj >= end)
            {
                return 0;
            }

            GcGeneration fixedGeneration = GenerationOf(segment.Kind);
            uint fixedGenerationBits = (uint)fixedGeneration << TypeBits;
            bool ephemeral = segment.Kind == GCSegmentKind.Ephemeral;
            bool large = segment.Kind is GCSegmentKind.Large or GCSegmentKind.Pinned or GCSegmentKind.Frozen;
            int window = large ? LargeWindow : SmallWindow;

            // Allocation contexts inside this segment, in address order (ClrMD skips none on LOH and frozen segments).
            int context = 0;
            int contextEnd = 0;
            if (segment.Kind is not (GCSegmentKind.Large or GCSegmentKind.Frozen))
            {
                context = LowerBound(_allocationContexts, obj);
                contextEnd = LowerBound(_allocationContexts, end);
            }

            int firstContext = context;
            ulong contextStart = context < contextEnd ? _allocationContexts[context].Start : ulong.MaxValue;

            // The index chunks are filled here directly (Block.Add per object costs more than the parsing). The first chunk is
            // sized by what the segment can hold at most, the last one is trimmed by the caller.
            List<Entry[]> chunks = block.Chunks;
            Entry[] chunk = Array.Empty<Entry>();
            int used = 0;
            long count = 0;

            ReadOnlySpan<byte> span = default;
            ulong spanBase = 0;
            ulong spanEnd = 0;
            long untilCheck = WorkPerCheck;
            long pending = 0;
            TypeCache cache = state.Cache;
            ulong lastMt = 0;
            WalkType lastType = default;

            // The object before this one, while it is the last entry added: where a damaged length or free-block size is found.
            ulong previous = 0;
            WalkType previousType = default;
            bool previousInIndex = false;

            while (obj < end)
            {
                if (obj < spanBase || obj + HeaderBytes > spanEnd)
                {
                    int length = (int)Math.Min((ulong)window, end - obj);
                    span = Read(obj, length, state);
                    spanBase = obj;
                    spanEnd = obj + (ulong)span.Length;
                    if (span.Length < PointerSize)
                    {
                        break;
                    }
                }

                int offset = (int)(obj - spanBase);
                ulong mt = MemoryMarshal.Read<ulong>(span.Slice(offset));
                WalkType type;
                if (mt == lastMt && mt != 0)
                {
                    type = lastType;
                }
                else
                {
                    if (!cache.TryGet(mt, out type))
                    {
                        type = Resolve(mt, obj);
                        cache.Add(mt, type);
                    }

                    lastMt = mt;
                    lastType = type;
                }

                // Where to go on after damage at this object (0: nowhere, the segment ends here); MaxValue while there is none.
                ulong resume = ulong.MaxValue;
                ulong size = 0;
                ulong aligned = 0;
                if (type.Id < 0)
                {
                    // Not an object. Either the size of the one before overshot (a damaged array length or free-block size:
                    // then a valid object starts inside its claimed extent, and it is the damaged one), or this header is.
                    state.Invalid++;
                    ulong inside = previousInIndex && previousType.ComponentSize != 0
                        ? FindValid(previous + Align(previousType.StaticSize), obj, end, state, cancellationToken)
                        : 0;
                    if (inside != 0)
                    {
                        used--;
                        count--;
                        largeSizes.TryRemove(previous, out _);
                        resume = inside;
                    }
                    else
                    {
                        resume = FindValid(obj + PointerSize, end, end, state, cancellationToken);
                    }
                }
                else
                {
                    if (type.ComponentSize == 0)
                    {
                        size = type.StaticSize;
                    }
                    else
                    {
                        uint length;
                        if (offset + HeaderBytes <= span.Length)
                        {
                            length = MemoryMarshal.Read<uint>(span.Slice(offset + PointerSize));
                        }
                        else if (!_reader.Read(obj + PointerSize, out length))
                        {
                            break;
                        }

                        if (mt == _stringMethodTable)
                        {
                            length++;
                        }

                        size = length * (ulong)type.ComponentSize + type.StaticSize;
                    }

                    if (size < MinObjectSize)
                    {
                        size = MinObjectSize;
                    }

                    aligned = Align(size);
                    if (aligned > end - obj || (aligned > (ulong)window && !_reader.Read(obj + aligned - PointerSize, out ulong _)))
                    {
                        // A size past the segment's end, or past the memory the dump holds: a damaged length. Not counted; the
                        // walk resumes at the first valid object after its fixed part.
                        state.Invalid++;
                        resume = FindValid(obj + Align(type.StaticSize), end, end, state, cancellationToken);
                    }
                }

                if (resume != ulong.MaxValue)
                {
                    if (resume == 0)
                    {
                        break;
                    }

                    previousInIndex = false;
                    obj = resume;
                    span = default;
                    spanBase = spanEnd = 0;
                    context = RewindContext(firstContext, contextEnd, obj);
                    contextStart = context < contextEnd ? _allocationContexts[context].Start : ulong.MaxValue;
                    continue;
                }

                uint generationBits = ephemeral ? (uint)EphemeralGeneration(segment, obj) << TypeBits : fixedGenerationBits;
                uint entrySize = (uint)size;
                if (size >= uint.MaxValue)
                {
                    largeSizes[obj] = (long)size;
                    entrySize = uint.MaxValue;
                }

                if (used == chunk.Length)
                {
                    if (count >= int.MaxValue - ChunkSize)
                    {
                        break;
                    }

                    ulong room = (end - obj) / MinObjectSize + 1;
                    if (chunk.Length != 0 && chunk.Length < ChunkSize)
                    {
                        // Cannot happen while objects are at least MinObjectSize apart; kept so that every chunk but the last
                        // stays full, which the index's arithmetic relies on.
                        Array.Resize(ref chunk, (int)Math.Min((ulong)ChunkSize, (ulong)chunk.Length + room));
                        chunks[^1] = chunk;
                    }
                    else
                    {
                        chunk = GC.AllocateUninitializedArray<Entry>((int)Math.Min((ulong)ChunkSize, room));
                        chunks.Add(chunk);
                        used = 0;
                    }
                }

                ref Entry e = ref chunk[used++];
                e.Address = obj;
                e.TypeAndGeneration = (uint)type.Id | generationBits;
                e.Size = entrySize;
                count++;
                previous = obj;
                previousType = type;
                previousInIndex = true;

                ulong next = obj + aligned;
                if (next <= obj)
                {
                    break;
                }

                obj = next;
                if (obj >= contextStart)
                {
                    while (context < contextEnd && _allocationContexts[context].Start < obj)
                    {
                        context++;
                    }

                    // An allocation context starting right here: the next object is past its limit (plus the minimum object
                    // the GC leaves there), as in ClrMD's SkipAllocationContext.
                    while (context < contextEnd && _allocationContexts[context].Start == obj)
                    {
                        ulong after = _allocationContexts[context].End + MinObjectSize;
                        if (after <= obj || after >= segment.End)
                        {
                            obj = end;
                            break;
                        }

                        obj = after;
                        previousInIndex = false;
                        context++;
                        while (context < contextEnd && _allocationContexts[context].Start < obj)
                        {
                            context++;
                        }
                    }

                    contextStart = context < contextEnd ? _allocationContexts[context].Start : ulong.MaxValue;
                }

                // Checked by work done (an object, plus one unit per 4 KB it spans), never on an exact count.
                untilCheck -= 1 + (long)(aligned >> 12);
                if (untilCheck <= 0)
                {
                    untilCheck = WorkPerCheck;
                    cancellationToken.ThrowIfCancellationRequested();
                    long seen = Interlocked.Add(ref objects, count - pending);
                    pending = count;
                    progress?.Report(new GcProgress("Walking heap", $"{seen:N0} objects", (int)Math.Min(99, 100 * Interlocked.Read(ref doneBytes) / totalBytes)));
                }
            }

            block.Count = (int)count;
            return count - pending;
        }

        private static ulong Align(ulong size) => (Math.Max(size, MinObjectSize) + 7) & ~7UL;

        /// <summary>The first allocation context at or after <paramref name="address"/> (after a resynchronisation moved the walk).</summary>
        private int RewindContext(int first, int last, ulong address)
        {
            int i = first;
            while (i < last && _allocationContexts[i].Start < address)
            {
                i++;
            }

            return i;
        }

        /// <summary>
        /// Resynchronises a walk after damage: the first 8-aligned address in [<paramref name="from"/>, <paramref name="limit"/>)
        /// where a valid object starts (a method table already known to the walk, a size within the segment) and the object after
        /// it is valid too (or the segment or an allocation context begins there). 0 when there is none before the limit.
        /// </summary>
        private ulong FindValid(ulong from, ulong limit, ulong end, WorkerState state, CancellationToken cancellationToken)
        {
            byte[] buffer = state.ScanBuffer;
            ulong a = (from + 7) & ~7UL;
            while (a < limit)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int want = (int)Math.Min((ulong)buffer.Length, limit - a);
                int read = _reader.Read(a, buffer.AsSpan(0, want)) & ~7;
                if (read <= 0)
                {
                    // A gap in the dump's memory: try from the next page.
                    a = (a + 4096) & ~4095UL;
                    continue;
                }

                for (int i = 0; i < read; i += PointerSize)
                {
                    ulong mt = MemoryMarshal.Read<ulong>(buffer.AsSpan(i));
                    if (mt != 0 && (mt & 7) == 0 && IsValidAt(a + (ulong)i, mt, end, state, depth: 2))
                    {
                        return a + (ulong)i;
                    }
                }

                a += (ulong)read;
            }

            return 0;
        }

        /// <summary>True when a known type's object with a size inside the segment starts at <paramref name="address"/>, and <paramref name="depth"/> - 1 more follow it.</summary>
        private bool IsValidAt(ulong address, ulong mt, ulong end, WorkerState state, int depth)
        {
            if (!state.Cache.TryGet(mt, out WalkType type))
            {
                // Not met yet on this walk (the damage may come before the first object of a type): ask ClrMD once, unless
                // the value points into the GC heap (an object reference, never a method table).
                if (InGcHeap(mt))
                {
                    return false;
                }

                type = Resolve(mt, address);
                state.Cache.Add(mt, type);
            }

            if (type.Id < 0)
            {
                return false;
            }

            ulong size = type.StaticSize;
            if (type.ComponentSize != 0)
            {
                if (!_reader.Read(address + PointerSize, out uint length))
                {
                    return false;
                }

                size += ((ulong)length + (mt == _stringMethodTable ? 1UL : 0UL)) * type.ComponentSize;
            }

            ulong next = address + Align(size);
            if (next > end || next <= address)
            {
                return false;
            }

            if (depth <= 1 || next == end || LowerBound(_allocationContexts, next) is int c && c < _allocationContexts.Length && _allocationContexts[c].Start == next)
            {
                return true;
            }

            return _reader.Read(next, out ulong nextMt) && nextMt != 0 && IsValidAt(next, nextMt, end, state, depth - 1);
        }

        /// <summary>True when <paramref name="address"/> lies in a GC segment (sorted by start when the walker is made).</summary>
        private bool InGcHeap(ulong address)
        {
            MemoryRange[] ranges = _segmentRanges;
            int i = LowerBound(ranges, address + 1) - 1;
            return i >= 0 && ranges[i].Contains(address);
        }

        /// <summary>Bytes of the target at <paramref name="address"/>, copied into the worker's buffer (one read per window).</summary>
        private ReadOnlySpan<byte> Read(ulong address, int length, WorkerState state)
        {
            byte[] buffer = state.Buffer;
            int read = _reader.Read(address, buffer.AsSpan(0, Math.Min(length, buffer.Length)));
            return buffer.AsSpan(0, Math.Max(0, read));
        }

        /// <summary>Method table to type id, size figures: once per method table for the whole walk, through ClrMD.</summary>
        private WalkType Resolve(ulong mt, ulong obj)
        {
            lock (_typeLock)
            {
                if (_typesByMethodTable.TryGetValue(mt, out WalkType known))
                {
                    return known;
                }

                ClrType? type = mt == 0 ? null : _heap.GetObjectType(obj);
                WalkType result;
                if (type is null || type.MethodTable != mt)
                {
                    result = new WalkType(-1, 0, 0);
                }
                else
                {
                    result = new WalkType(_typeList.Count, (uint)type.StaticSize, (uint)type.ComponentSize);
                    _typeList.Add(type);
                }

                _typesByMethodTable.Add(mt, result);
                return result;
            }
        }

        private static int LowerBound(MemoryRange[] ranges, ulong address)
        {
            int lo = 0;
            int hi = ranges.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (ranges[mid].Start < address)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }

    private readonly record struct WalkType(int Id, uint StaticSize, uint ComponentSize);

    private sealed class WorkerState
    {
        public readonly byte[] Buffer = new byte[1 << 20];
        public readonly byte[] ScanBuffer = new byte[1 << 16];
        public readonly TypeCache Cache = new();
        public long Invalid;
    }

    /// <summary>A worker's own method table lookup (open addressing, no locks): the hot path of the walk.</summary>
    private sealed class TypeCache
    {
        private ulong[] _keys = new ulong[256];
        private WalkType[] _values = new WalkType[256];
        private int _count;
        private ulong _lastKey;
        private WalkType _lastValue;

        public bool TryGet(ulong mt, out WalkType value)
        {
            if (mt == _lastKey && mt != 0)
            {
                value = _lastValue;
                return true;
            }

            int mask = _keys.Length - 1;
            int i = Hash(mt) & mask;
            while (true)
            {
                ulong k = _keys[i];
                if (k == mt && k != 0)
                {
                    value = _values[i];
                    _lastKey = mt;
                    _lastValue = value;
                    return true;
                }

                if (k == 0)
                {
                    value = default;
                    return false;
                }

                i = (i + 1) & mask;
            }
        }

        public void Add(ulong mt, WalkType value)
        {
            if (mt == 0)
            {
                return;
            }

            if ((_count + 1) * 2 > _keys.Length)
            {
                ulong[] oldKeys = _keys;
                WalkType[] oldValues = _values;
                _keys = new ulong[oldKeys.Length * 2];
                _values = new WalkType[oldKeys.Length * 2];
                _count = 0;
                for (int j = 0; j < oldKeys.Length; j++)
                {
                    if (oldKeys[j] != 0)
                    {
                        Insert(oldKeys[j], oldValues[j]);
                    }
                }
            }

            Insert(mt, value);
        }

        private void Insert(ulong mt, WalkType value)
        {
            int mask = _keys.Length - 1;
            int i = Hash(mt) & mask;
            while (_keys[i] != 0 && _keys[i] != mt)
            {
                i = (i + 1) & mask;
            }

            if (_keys[i] == 0)
            {
                _count++;
            }

            _keys[i] = mt;
            _values[i] = value;
        }

        private static int Hash(ulong mt) => (int)((mt >> 3) ^ (mt >> 19) ^ (mt >> 35));
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

    /// <summary>A run of consecutive entries: positions <paramref name="baseIndex"/> onwards.</summary>
    internal delegate void ChunkVisitor(long baseIndex, ReadOnlySpan<Entry> entries);

    /// <summary>
    /// Every entry in position order, a chunk of up to 65,536 at a time: the loop over a chunk is the caller's own code, where
    /// <see cref="ForEach"/> calls a delegate per object (slower, and slower again once other callers' delegates have passed
    /// through it).
    /// </summary>
    internal void ForEachChunk(ChunkVisitor visit, CancellationToken cancellationToken = default)
    {
        foreach (Block b in _blocks)
        {
            for (int c = 0; c < b.Chunks.Count; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Entry[] chunk = b.Chunks[c];
                int n = Math.Min(chunk.Length, b.Count - (c << ChunkShift));
                visit(b.BaseIndex + ((long)c << ChunkShift), chunk.AsSpan(0, n));
            }
        }
    }

    /// <summary>Every entry in position order, one delegate call each; inlined so that each caller's call site learns its own delegate.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void ForEach(Action<long, Entry> visit, CancellationToken cancellationToken = default)
    {
        foreach (Block b in _blocks)
        {
            for (int c = 0; c < b.Chunks.Count; c++)
            {
                Entry[] chunk = b.Chunks[c];
                int n = Math.Min(chunk.Length, b.Count - (c << ChunkShift));
                long baseIndex = b.BaseIndex + ((long)c << ChunkShift);
                cancellationToken.ThrowIfCancellationRequested();
                for (int i = 0; i < n; i++)
                {
                    visit(baseIndex + i, chunk[i]);
                }
            }
        }
    }

    /// <summary>The generation of the object that starts at <paramref name="address"/>; Unknown when none does.</summary>
    internal GcGeneration GenerationOf(ulong address)
    {
        long i = IndexOf(address);
        return i < 0 ? GcGeneration.Unknown : EntryAt(i).Generation;
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
