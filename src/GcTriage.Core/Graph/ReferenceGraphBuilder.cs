using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// Builds a <see cref="ReferenceGraph"/> from a dump and its heap index, segment by segment in parallel. The fast way reads each
/// segment's memory in 1 MB windows and walks each object's pointer slots through its type's decoded GC descriptor
/// (<see cref="PointerMap"/>, once per type), turning each pointer into a node with <see cref="NodeLookup"/>; the ClrMD way asks
/// ClrMD for each object's references (EnumerateReferenceAddresses): for 32-bit targets, and as the tests' second opinion. Both add
/// the loader allocator of collectible types and dependent handles (primary to secondary) the same way, before the fields.
/// </summary>
internal sealed class ReferenceGraphBuilder
{
    private const int PointerSize = 8;
    private const string Activity = "Building reference graph";

    /// <summary>Targets per chunk when the offsets are wide (a node's row never crosses a chunk).</summary>
    internal const int WideChunkShift = 30;

    private readonly ClrHeap _heap;
    private readonly HeapIndex _index;
    private readonly IDataReader _reader;
    private readonly NodeLookup _lookup;
    private readonly PointerMap?[] _maps;
    private readonly int[] _loaderAllocators;
    private readonly (int Source, int Target)[] _dependents;
    private long _dropped;

    private ReferenceGraphBuilder(ClrHeap heap, HeapIndex index, bool fast)
    {
        _heap = heap;
        _index = index;
        _reader = heap.Runtime.DataTarget.DataReader;
        _lookup = new NodeLookup(index);
        _maps = new PointerMap?[index.Types.Count];
        _loaderAllocators = new int[index.Types.Count];
        for (int t = 0; t < _maps.Length; t++)
        {
            _loaderAllocators[t] = -1;
            ClrType? type = index.Types[t].ClrType;
            if (type is null || type.IsFree)
            {
                continue;
            }

            if (fast && type.ContainsPointers)
            {
                _maps[t] = PointerMap.Read(_reader, type.MethodTable);
            }

            if (type.IsCollectible && _reader.ReadPointer(type.LoaderAllocatorHandle) is ulong la && la != 0)
            {
                // Every object of a collectible type keeps its loader allocator (hence its AssemblyLoadContext) alive.
                _loaderAllocators[t] = Find(la);
            }
        }

        _dependents = ReadDependentHandles(heap.Runtime, out long droppedDependents);
        _dropped = droppedDependents;
    }

    /// <summary>Builds the graph; <paramref name="useClrMD"/> asks ClrMD for each object's references instead of reading memory.</summary>
    public static ReferenceGraph Build(ClrHeap heap, HeapIndex index, CancellationToken cancellationToken, IProgress<GcProgress>? progress,
        bool useClrMD = false, int wideChunkShift = 0)
    {
        if (index.Count >= int.MaxValue)
        {
            throw new GcTriageException(ErrorCatalog.GraphTooLarge, GcErrorKind.LimitsExceeded,
                $"The heap has {index.Count:N0} objects; the reference graph numbers objects with 32-bit ints (at most {int.MaxValue - 1:N0}).");
        }

        var clock = Stopwatch.StartNew();
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new GcProgress(Activity, "types and handles", 0));
        bool fast = !useClrMD && heap.Runtime.DataTarget.DataReader.PointerSize == PointerSize && BitConverter.IsLittleEndian;
        var builder = new ReferenceGraphBuilder(heap, index, fast);
        return builder.Run(fast, wideChunkShift, clock, cancellationToken, progress);
    }

    private ReferenceGraph Run(bool fast, int wideChunkShift, Stopwatch clock, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        int n = (int)_index.Count;
        var degrees = new int[n + 1];
        IReadOnlyList<HeapIndex.Block> blocks = _index.Blocks;
        var edges = new EdgeBuffer[blocks.Count];
        long done = 0;
        int[] order = Enumerable.Range(0, blocks.Count).OrderByDescending(b => blocks[b].Count).ToArray();
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.ForEach(order, options, () => new MemoryWindow(_reader), (b, _, window) =>
        {
            var buffer = new EdgeBuffer();
            long dropped = fast
                ? WalkBlock(blocks[b], buffer, degrees, window, ref done, cancellationToken, progress)
                : WalkBlockWithClrMD(blocks[b], buffer, degrees, ref done, cancellationToken, progress);
            Interlocked.Add(ref _dropped, dropped);
            edges[b] = buffer;
            return window;
        }, _ => { });

        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new GcProgress(Activity, "assembling rows", 99));
        long edgeCount = edges.Sum(e => e.Count);
        var stats = new ReferenceGraphStats(Interlocked.Read(ref _dropped), _dependents.Count(d => d.Target >= 0), TimeSpan.Zero);
        ReferenceGraph graph = wideChunkShift == 0 && edgeCount <= Array.MaxLength
            ? AssembleNarrow(degrees, edges, edgeCount, stats)
            : AssembleWide(degrees, blocks, edges, wideChunkShift == 0 ? WideChunkShift : wideChunkShift, edgeCount, stats, cancellationToken);
        return graph.WithBuildTime(clock.Elapsed);
    }

    /// <summary>Int offsets (the degrees turned into their running sum in place) and one target array.</summary>
    private static ReferenceGraph AssembleNarrow(int[] degrees, EdgeBuffer[] edges, long edgeCount, ReferenceGraphStats stats)
    {
        int sum = 0;
        for (int i = 0; i < degrees.Length; i++)
        {
            int d = degrees[i];
            degrees[i] = sum;
            sum += d;
        }

        int[] targets = GC.AllocateUninitializedArray<int>((int)edgeCount);
        int at = 0;
        foreach (EdgeBuffer e in edges)
        {
            e.CopyTo(targets.AsSpan(at, (int)e.Count));
            at += (int)e.Count;
            e.Clear();
        }

        return new ReferenceGraph(degrees, targets, stats);
    }

    /// <summary>Long offsets into chunks of targets, a row moved to the next chunk whenever it would cross the end of one.</summary>
    private static ReferenceGraph AssembleWide(int[] degrees, IReadOnlyList<HeapIndex.Block> blocks, EdgeBuffer[] edges, int chunkShift, long edgeCount,
        ReferenceGraphStats stats, CancellationToken cancellationToken)
    {
        long chunkSize = 1L << chunkShift;
        int n = degrees.Length - 1;
        var offsets = new long[n + 1];
        var used = new List<long>();
        long position = 0;
        for (int i = 0; i < n; i++)
        {
            int d = degrees[i];
            if (d > chunkSize)
            {
                throw new GcTriageException(ErrorCatalog.GraphTooLarge, GcErrorKind.LimitsExceeded, $"One object holds {d:N0} references, more than a chunk of the graph ({chunkSize:N0}).");
            }

            if ((position & (chunkSize - 1)) + d > chunkSize)
            {
                position = (position | (chunkSize - 1)) + 1;
            }

            offsets[i] = position;
            position += d;
            int k = (int)((position - 1) >> chunkShift);
            while (d > 0 && used.Count <= k)
            {
                used.Add(0);
            }

            if (d > 0)
            {
                used[k] = position - ((long)k << chunkShift);
            }
        }

        offsets[n] = position;
        var chunks = used.Select(u => new int[u]).ToArray();
        foreach (var (block, buffer) in blocks.Zip(edges))
        {
            cancellationToken.ThrowIfCancellationRequested();
            long cursor = 0;
            for (int j = 0; j < block.Count; j++)
            {
                int node = (int)block.BaseIndex + j;
                int d = degrees[node];
                if (d == 0)
                {
                    continue;
                }

                long at = offsets[node];
                int k = (int)(at >> chunkShift);
                buffer.CopyTo(cursor, chunks[k].AsSpan((int)(at - ((long)k << chunkShift)), d));
                cursor += d;
            }

            buffer.Clear();
        }

        return new ReferenceGraph(offsets, chunks, chunkShift, edgeCount, stats);
    }

    /// <summary>Walks one segment's objects through their GC descriptors; returns the pointers dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long WalkBlock(HeapIndex.Block block, EdgeBuffer buffer, int[] degrees, MemoryWindow window, ref long done,
        CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        if (block.Count == 0)
        {
            return 0;
        }

        ref HeapIndex.Entry last = ref block[block.Count - 1];
        window.Reset(last.Address + (ulong)_index.SizeOf(last));
        int baseNode = (int)block.BaseIndex;
        int dependent = FirstDependent(baseNode);
        int hint = -1;
        long dropped = 0;
        PointerMap?[] maps = _maps;
        for (int c = 0; c < block.Chunks.Count; c++)
        {
            HeapIndex.Entry[] chunk = block.Chunks[c];
            int count = Math.Min(chunk.Length, block.Count - (c << HeapIndex.ChunkShift));
            int chunkBase = baseNode + (c << HeapIndex.ChunkShift);
            for (int j = 0; j < count; j++)
            {
                ref HeapIndex.Entry e = ref chunk[j];
                int node = chunkBase + j;
                long before = buffer.Count;
                AddSpecialEdges(node, e.TypeId, buffer, ref dependent);
                PointerMap? map = maps[e.TypeId];
                if (map is not null)
                {
                    ulong obj = e.Address;
                    long size = _index.SizeOf(e);
                    if (!map.Repeating)
                    {
                        long[] offsets = map.Offsets;
                        long[] sizes = map.Sizes;
                        for (int s = 0; s < offsets.Length; s++)
                        {
                            long stop = Math.Min(offsets[s] + sizes[s] + size, size);
                            for (long off = offsets[s]; off < stop; off += PointerSize)
                            {
                                ulong p = window.Pointer(obj + (ulong)off);
                                if (p != 0)
                                {
                                    AddPointer(p, buffer, ref hint, ref dropped);
                                }
                            }
                        }
                    }
                    else
                    {
                        int[] counts = map.Counts;
                        int[] skips = map.Skips;
                        long off = map.Start;
                        long limit = size - PointerSize;
                        while (off < limit)
                        {
                            for (int i = 0; i < counts.Length; i++)
                            {
                                long stop = off + (long)counts[i] * PointerSize;
                                do
                                {
                                    ulong p = window.Pointer(obj + (ulong)off);
                                    if (p != 0)
                                    {
                                        AddPointer(p, buffer, ref hint, ref dropped);
                                    }

                                    off += PointerSize;
                                }
                                while (off < stop);

                                off += skips[i];
                            }
                        }
                    }
                }

                degrees[node] = (int)(buffer.Count - before);
            }

            ReportBlockProgress(count, ref done, cancellationToken, progress);
        }

        return dropped;
    }

    /// <summary>The same rows from ClrMD's own enumeration (dependent handles added here, as in the fast walk).</summary>
    private long WalkBlockWithClrMD(HeapIndex.Block block, EdgeBuffer buffer, int[] degrees, ref long done,
        CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        int baseNode = (int)block.BaseIndex;
        int dependent = FirstDependent(baseNode);
        int hint = -1;
        long dropped = 0;
        for (int j = 0; j < block.Count; j++)
        {
            HeapIndex.Entry e = block[j];
            int node = baseNode + j;
            long before = buffer.Count;
            AddSpecialEdges(node, e.TypeId, buffer, ref dependent);
            ClrType? type = _index.Types[e.TypeId].ClrType;
            if (type is { ContainsPointers: true })
            {
                foreach (ulong p in _heap.GetObject(e.Address, type).EnumerateReferenceAddresses(carefully: false, considerDependantHandles: false))
                {
                    AddPointer(p, buffer, ref hint, ref dropped);
                }
            }

            degrees[node] = (int)(buffer.Count - before);
            if ((j & 0xFFFF) == 0xFFFF)
            {
                ReportBlockProgress(0x10000, ref done, cancellationToken, progress);
            }
        }

        return dropped;
    }

    private void ReportBlockProgress(int objects, ref long done, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long seen = Interlocked.Add(ref done, objects);
        progress?.Report(new GcProgress(Activity, $"{seen:N0} objects", (int)Math.Min(98, 100 * seen / Math.Max(1, _index.Count))));
    }

    /// <summary>Dependent handles whose primary is <paramref name="node"/>, then the type's loader allocator (collectible types).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddSpecialEdges(int node, int typeId, EdgeBuffer buffer, ref int dependent)
    {
        (int Source, int Target)[] dependents = _dependents;
        while (dependent < dependents.Length && dependents[dependent].Source == node)
        {
            int target = dependents[dependent++].Target;
            if (target >= 0)
            {
                buffer.Add(target);
            }
        }

        int la = _loaderAllocators[typeId];
        if (la >= 0)
        {
            buffer.Add(la);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddPointer(ulong pointer, EdgeBuffer buffer, ref int hint, ref long dropped)
    {
        int target = _lookup.Find(pointer, ref hint);
        if (target >= 0)
        {
            buffer.Add(target);
        }
        else
        {
            dropped++;
        }
    }

    private int Find(ulong address)
    {
        int hint = -1;
        return _lookup.Find(address, ref hint);
    }

    /// <summary>First dependent handle whose primary is at or after <paramref name="node"/>.</summary>
    private int FirstDependent(int node)
    {
        int lo = 0;
        int hi = _dependents.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_dependents[mid].Source < node)
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

    /// <summary>Dependent handles as (primary node, secondary node or -1), by primary; handles whose primary is no object are left out.</summary>
    private (int Source, int Target)[] ReadDependentHandles(ClrRuntime runtime, out long dropped)
    {
        var pairs = new List<(int, int)>();
        dropped = 0;
        foreach (ClrHandle handle in runtime.EnumerateHandles())
        {
            if (handle.HandleKind != ClrHandleKind.Dependent || handle.Object.Address == 0)
            {
                continue;
            }

            int source = Find(handle.Object.Address);
            ulong secondary = handle.Dependent.Address;
            if (source < 0 || secondary == 0)
            {
                continue;
            }

            int target = Find(secondary);
            if (target < 0)
            {
                dropped++;
            }

            pairs.Add((source, target));
        }

        // Stable by primary, so that a primary's secondaries keep the handle table's order.
        return pairs.Select((p, i) => (p, i)).OrderBy(x => x.p.Item1).ThenBy(x => x.i).Select(x => x.p).ToArray();
    }
}
