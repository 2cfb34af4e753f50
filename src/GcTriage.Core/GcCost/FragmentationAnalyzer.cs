using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>Options for Get-GcFragmentation.</summary>
public sealed class FragmentationQuery
{
    /// <summary>Only these generations. Empty: all.</summary>
    public IReadOnlyList<GcGeneration> Generation { get; init; } = Array.Empty<GcGeneration>();
    /// <summary>One row per segment/region (and generation, for an ephemeral segment) instead of one per generation.</summary>
    public bool BySegment { get; init; }
    /// <summary>Free blocks listed per row, largest first.</summary>
    public int LargestFreeBlocks { get; init; } = FragmentationAnalyzer.DefaultLargestFreeBlocks;
}

/// <summary>
/// Free space per generation and per segment/region, from the session's heap index (free blocks are in it, with their generation):
/// one pass over the index, no heap walk. The largest free blocks get the pinned objects of the plug that follows them (the run of
/// objects up to the next free block): a pinned plug is what stops the GC from closing the gap in front of it.
/// </summary>
public static class FragmentationAnalyzer
{
    public const int DefaultLargestFreeBlocks = 5;
    private const int MaxPlugScan = 4096;
    private const int MaxNeighbours = 8;

    private sealed class Row
    {
        public GcGeneration Generation;
        public int Heap;
        public ClrSegment? Segment;
        public readonly HashSet<ulong> Segments = new();
        public long ObjectBytes;
        public long FreeBytes;
        public long FreeBlocks;
        public long Allocated;
        public long Committed;
        public long Pinned;
        public readonly PriorityQueue<(HeapIndex.Block Block, int Position), long> Largest = new();
    }

    public static IReadOnlyList<GcFragmentation> Analyze(DumpSession session, FragmentationQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null) =>
        session.Read(cancellationToken, ct => AnalyzeLeased(session, query, ct, progress));

    private static IReadOnlyList<GcFragmentation> AnalyzeLeased(DumpSession session, FragmentationQuery query, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        ClrRuntime runtime = session.Runtime;
        ClrHeap heap = runtime.Heap;
        var segmentsByStart = new Dictionary<ulong, ClrSegment>();
        foreach (ClrSegment s in heap.Segments)
        {
            segmentsByStart.TryAdd(s.Start, s);
        }

        int generationMask = HeapQueries.GenerationMask(query.Generation);
        bool[] isFree = index.Types.Select(t => t.IsFree).ToArray();
        int top = Math.Max(0, query.LargestFreeBlocks);
        var rows = new Dictionary<(ulong Segment, GcGeneration Generation), Row>();
        progress?.Report(new GcProgress("Measuring fragmentation", "free blocks", 0));

        int done = 0;
        foreach (HeapIndex.Block block in index.Blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new GcProgress("Measuring fragmentation", "free blocks", 100 * done++ / Math.Max(1, index.Blocks.Count)));
            segmentsByStart.TryGetValue(block.Start, out ClrSegment? segment);
            ulong key = segment?.Address ?? block.Start;
            AddSegmentFigures(rows, key, segment, generationMask);
            for (int c = 0; c < block.Chunks.Count; c++)
            {
                HeapIndex.Entry[] chunk = block.Chunks[c];
                int n = Math.Min(chunk.Length, block.Count - (c << HeapIndex.ChunkShift));
                Row? row = null;
                GcGeneration rowGeneration = GcGeneration.Unknown;
                for (int i = 0; i < n; i++)
                {
                    ref HeapIndex.Entry e = ref chunk[i];
                    GcGeneration g = e.Generation;
                    if ((generationMask & (1 << (int)g)) == 0)
                    {
                        continue;
                    }

                    if (row is null || g != rowGeneration)
                    {
                        row = GetRow(rows, key, g, segment);
                        rowGeneration = g;
                    }

                    long size = index.SizeOf(e);
                    if (!isFree[e.TypeId])
                    {
                        row.ObjectBytes += size;
                        continue;
                    }

                    row.FreeBytes += size;
                    row.FreeBlocks++;
                    if (top == 0)
                    {
                        continue;
                    }

                    if (row.Largest.Count < top)
                    {
                        row.Largest.Enqueue((block, (c << HeapIndex.ChunkShift) + i), size);
                    }
                    else if (row.Largest.TryPeek(out _, out long smallest) && size > smallest)
                    {
                        row.Largest.DequeueEnqueue((block, (c << HeapIndex.ChunkShift) + i), size);
                    }
                }
            }
        }

        progress?.Report(new GcProgress("Measuring fragmentation", "pinned objects", -1));
        Dictionary<ulong, PinnedRoot> pinned = PinnedRoots.Collect(runtime, index, cancellationToken);
        foreach (ulong address in pinned.Keys)
        {
            long i = index.IndexOf(address);
            if (i < 0)
            {
                continue;
            }

            GcGeneration g = index.EntryAt(i).Generation;
            ClrSegment? segment = heap.GetSegmentByAddress(address);
            if (segment is not null && rows.TryGetValue((segment.Address, g), out Row? row))
            {
                row.Pinned++;
            }
        }

        var segmentRows = rows.Values
            .Where(r => (generationMask & (1 << (int)r.Generation)) != 0)
            .OrderBy(r => r.Generation).ThenBy(r => r.Heap).ThenBy(r => r.Segment?.Start ?? 0)
            .ToList();
        var result = new List<GcFragmentation>();
        if (query.BySegment)
        {
            foreach (Row r in segmentRows)
            {
                result.Add(ToModel(r, GcFragmentationScope.Segment, LargestOf(index, pinned, new[] { r }, top), session.Path));
            }

            return result;
        }

        foreach (var byGeneration in segmentRows.GroupBy(r => r.Generation))
        {
            var merged = new Row { Generation = byGeneration.Key, Heap = -1 };
            foreach (Row r in byGeneration)
            {
                merged.Segments.UnionWith(r.Segments);
                merged.ObjectBytes += r.ObjectBytes;
                merged.FreeBytes += r.FreeBytes;
                merged.FreeBlocks += r.FreeBlocks;
                merged.Allocated += r.Allocated;
                merged.Committed += r.Committed;
                merged.Pinned += r.Pinned;
            }

            result.Add(ToModel(merged, GcFragmentationScope.Generation, LargestOf(index, pinned, byGeneration, top), session.Path));
        }

        return result;
    }

    /// <summary>Allocated and committed bytes of a segment, on the rows of the generations it holds.</summary>
    private static void AddSegmentFigures(Dictionary<(ulong, GcGeneration), Row> rows, ulong key, ClrSegment? segment, int generationMask)
    {
        if (segment is null)
        {
            return;
        }

        if (segment.Kind == GCSegmentKind.Ephemeral)
        {
            // gen2 from the segment's start, then gen1, then gen0 up to the allocated end; committed memory goes with gen0.
            (GcGeneration Generation, MemoryRange Range)[] parts =
            {
                (GcGeneration.Gen2, segment.Generation2), (GcGeneration.Gen1, segment.Generation1), (GcGeneration.Gen0, segment.Generation0),
            };
            foreach (var (generation, range) in parts)
            {
                if ((generationMask & (1 << (int)generation)) != 0 && range.Length > 0)
                {
                    Row row = GetRow(rows, key, generation, segment);
                    row.Allocated += (long)range.Length;
                    if (generation == GcGeneration.Gen0)
                    {
                        row.Committed += (long)segment.CommittedMemory.Length;
                    }
                }
            }

            return;
        }

        GcGeneration g = HeapIndex.GenerationOf(segment.Kind);
        if ((generationMask & (1 << (int)g)) != 0)
        {
            Row row = GetRow(rows, key, g, segment);
            row.Allocated += (long)segment.ObjectRange.Length;
            row.Committed += (long)segment.CommittedMemory.Length;
        }
    }

    private static Row GetRow(Dictionary<(ulong, GcGeneration), Row> rows, ulong key, GcGeneration generation, ClrSegment? segment)
    {
        if (!rows.TryGetValue((key, generation), out Row? row))
        {
            row = new Row { Generation = generation, Segment = segment, Heap = segment?.SubHeap.Index ?? -1 };
            row.Segments.Add(key);
            rows.Add((key, generation), row);
        }

        return row;
    }

    /// <summary>The <paramref name="top"/> largest free blocks over <paramref name="rows"/>, each with the pinned objects of the plug after it.</summary>
    private static IReadOnlyList<GcFreeBlock> LargestOf(HeapIndex index, Dictionary<ulong, PinnedRoot> pinned, IEnumerable<Row> rows, int top)
    {
        var candidates = new List<(HeapIndex.Block Block, int Position, long Size, ulong Segment)>();
        foreach (Row r in rows)
        {
            foreach (var (element, size) in r.Largest.UnorderedItems)
            {
                candidates.Add((element.Block, element.Position, size, r.Segment?.Address ?? element.Block.Start));
            }
        }

        return candidates
            .OrderByDescending(c => c.Size).ThenBy(c => c.Block[c.Position].Address)
            .Take(top)
            .Select(c => new GcFreeBlock
            {
                Address = c.Block[c.Position].Address,
                Size = c.Size,
                Generation = c.Block[c.Position].Generation,
                SegmentAddress = c.Segment,
                PinnedNeighbours = PinnedAfter(index, pinned, c.Block, c.Position),
            })
            .ToList();
    }

    /// <summary>The pinned objects among those after a free block, up to the next free block (the plug the GC left in place).</summary>
    private static IReadOnlyList<GcPinnedNeighbour> PinnedAfter(HeapIndex index, Dictionary<ulong, PinnedRoot> pinned, HeapIndex.Block block, int position)
    {
        var result = new List<GcPinnedNeighbour>();
        int end = (int)Math.Min(block.Count, (long)position + 1 + MaxPlugScan);
        for (int i = position + 1; i < end && result.Count < MaxNeighbours; i++)
        {
            HeapIndex.Entry e = block[i];
            HeapType type = index.Types[e.TypeId];
            if (type.IsFree)
            {
                break;
            }

            if (!pinned.TryGetValue(e.Address, out PinnedRoot root))
            {
                if (e.Generation != GcGeneration.POH)
                {
                    continue;
                }

                root = new PinnedRoot(GcPinKind.PinnedObjectHeap, "pinned object heap");
            }

            result.Add(new GcPinnedNeighbour
            {
                Address = e.Address,
                TypeName = type.Name,
                Size = index.SizeOf(e),
                Generation = e.Generation,
                PinnedBy = root.Kind,
                Root = root.Root,
            });
        }

        return result;
    }

    private static GcFragmentation ToModel(Row r, GcFragmentationScope scope, IReadOnlyList<GcFreeBlock> largest, string path) => new()
    {
        Scope = scope,
        Generation = r.Generation,
        Heap = r.Heap,
        SegmentAddress = scope == GcFragmentationScope.Segment ? r.Segment?.Address ?? r.Segments.FirstOrDefault() : null,
        Start = scope == GcFragmentationScope.Segment ? r.Segment?.ObjectRange.Start : null,
        End = scope == GcFragmentationScope.Segment ? r.Segment?.ObjectRange.End : null,
        Segments = r.Segments.Count,
        ObjectBytes = r.ObjectBytes,
        FreeBytes = r.FreeBytes,
        FreeBlocks = r.FreeBlocks,
        FragmentationRatio = r.ObjectBytes + r.FreeBytes == 0 ? 0 : (double)r.FreeBytes / (r.ObjectBytes + r.FreeBytes),
        AllocatedBytes = r.Allocated,
        CommittedBytes = r.Committed,
        PinnedObjects = r.Pinned,
        LargestFreeBlocks = largest,
        DumpPath = path,
    };
}
