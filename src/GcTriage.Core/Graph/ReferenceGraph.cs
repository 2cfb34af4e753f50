namespace GcTriage.Core;

/// <summary>
/// The references between a dump's objects, as compressed sparse rows over the heap index's positions: node i is the index's
/// object i (address order), its successors are the objects its pointer fields hold (through the type's GC descriptor, arrays of
/// structs included), the loader allocator of a collectible type, and the secondaries of dependent handles whose primary it is.
/// One offset per node (4 bytes; 8 when the dump has 2^31 edges or more, the targets then in chunks that no node's row straddles)
/// and one 4-byte target per edge. Built once per session (<see cref="DumpSession.GetGraph"/>), immutable, safe to read from any thread.
/// </summary>
public sealed class ReferenceGraph : IDirectedGraph
{
    private readonly int[]? _offsets;
    private readonly int[]? _targets;
    private readonly long[]? _wideOffsets;
    private readonly int[][]? _chunks;
    private readonly int _chunkShift;

    /// <summary>A graph whose offsets are ints and whose targets are one array (fewer than 2^31 edges).</summary>
    internal ReferenceGraph(int[] offsets, int[] targets, ReferenceGraphStats stats)
    {
        NodeCount = offsets.Length - 1;
        _offsets = offsets;
        _targets = targets;
        EdgeCount = offsets[^1];
        Stats = stats;
    }

    /// <summary>A graph with long offsets into chunks of 2^<paramref name="chunkShift"/> targets; no node's row crosses a chunk.</summary>
    internal ReferenceGraph(long[] offsets, int[][] chunks, int chunkShift, long edgeCount, ReferenceGraphStats stats)
    {
        NodeCount = offsets.Length - 1;
        _wideOffsets = offsets;
        _chunks = chunks;
        _chunkShift = chunkShift;
        EdgeCount = edgeCount;
        Stats = stats;
    }

    public int NodeCount { get; }

    /// <summary>References between objects of the index (duplicates kept: an object holding another twice has two edges).</summary>
    public long EdgeCount { get; }

    internal ReferenceGraphStats Stats { get; private set; }

    /// <summary>
    /// Non-null pointers that lead to no object of the index (outside the heap, into the middle of an object, a dependent
    /// handle whose secondary is gone): not edges.
    /// </summary>
    public long DroppedPointers => Stats.DroppedPointers;

    /// <summary>Edges from a dependent handle's primary to its secondary (ConditionalWeakTable entries and the like).</summary>
    public long DependentHandleEdges => Stats.DependentHandleEdges;

    /// <summary>How long the build took (memory reads, descriptor walks, pointer lookups, assembly of the rows).</summary>
    public TimeSpan BuildTime => Stats.BuildTime;

    /// <summary>Bytes the graph holds: its offsets and targets.</summary>
    public long MemoryBytes => _offsets is not null
        ? _offsets.LongLength * sizeof(int) + _targets!.LongLength * sizeof(int)
        : _wideOffsets!.LongLength * sizeof(long) + _chunks!.Sum(c => c.LongLength) * sizeof(int);

    internal ReferenceGraph WithBuildTime(TimeSpan buildTime)
    {
        Stats = Stats with { BuildTime = buildTime };
        return this;
    }

    /// <summary>True when the offsets are 8 bytes (2^31 edges or more, or a test forcing it).</summary>
    internal bool WideOffsets => _wideOffsets is not null;

    /// <summary>The rows as two arrays when the offsets are ints (the common case), for loops that read them directly.</summary>
    internal bool TryGetRows(out int[] offsets, out int[] targets)
    {
        offsets = _offsets!;
        targets = _targets!;
        return _offsets is not null;
    }

    public ReadOnlySpan<int> Successors(int node)
    {
        if (_offsets is not null)
        {
            int start = _offsets[node];
            return new ReadOnlySpan<int>(_targets, start, _offsets[node + 1] - start);
        }

        long from = _wideOffsets![node];
        long to = _wideOffsets[node + 1];
        if (from == to)
        {
            return ReadOnlySpan<int>.Empty;
        }

        int k = (int)(from >> _chunkShift);
        int[] chunk = _chunks![k];
        int local = (int)(from - ((long)k << _chunkShift));
        int end = (to >> _chunkShift) == k ? (int)(to - ((long)k << _chunkShift)) : chunk.Length;
        return new ReadOnlySpan<int>(chunk, local, end - local);
    }
}
