using System.Runtime.CompilerServices;

namespace GcTriage.Core;

/// <summary>
/// Address to node (heap index position) for the graph build, where every pointer of the heap is looked up once: the segment by a
/// binary search over segment starts (the last hit tried first), then a per-segment table with one entry per 512 bytes of
/// objects giving the first object of that slot, and a search among the few objects that start in it. The tables cost about a
/// 128th of the heap's bytes and live only while the graph is built.
/// </summary>
internal sealed class NodeLookup
{
    private const int Shift = 9;

    private readonly ulong[] _starts;
    private readonly ulong[] _lengths;
    private readonly int[] _baseNodes;
    private readonly int[][] _slots;
    private readonly HeapIndex.Entry[][][] _entries;

    public NodeLookup(HeapIndex index)
    {
        var blocks = index.Blocks.Where(b => b.Count > 0).OrderBy(b => b.BaseIndex).ToArray();
        _starts = new ulong[blocks.Length];
        _lengths = new ulong[blocks.Length];
        _baseNodes = new int[blocks.Length];
        _slots = new int[blocks.Length][];
        _entries = new HeapIndex.Entry[blocks.Length][][];
        Parallel.For(0, blocks.Length, i =>
        {
            HeapIndex.Block b = blocks[i];
            HeapIndex.Entry[][] chunks = b.Chunks.ToArray();
            ulong first = chunks[0][0].Address;
            ref HeapIndex.Entry last = ref b[b.Count - 1];
            ulong end = last.Address + (ulong)Math.Max(1, index.SizeOf(last));
            _starts[i] = first;
            _lengths[i] = end - first;
            _baseNodes[i] = (int)b.BaseIndex;
            _entries[i] = chunks;
            _slots[i] = BuildSlots(chunks, b.Count, first, end);
        });
    }

    /// <summary>Bytes of the lookup tables.</summary>
    public long MemoryBytes => _slots.Sum(s => (long)s.Length * sizeof(int));

    private static int[] BuildSlots(HeapIndex.Entry[][] chunks, int count, ulong first, ulong end)
    {
        int slotCount = checked((int)((end - first) >> Shift) + 2);
        var slots = new int[slotCount];
        int next = 0;
        for (int j = 0; j < count; j++)
        {
            int slot = (int)((chunks[j >> HeapIndex.ChunkShift][j & (HeapIndex.ChunkSize - 1)].Address - first) >> Shift);
            while (next <= slot)
            {
                slots[next++] = j;
            }
        }

        while (next < slotCount)
        {
            slots[next++] = count;
        }

        return slots;
    }

    /// <summary>The node of the object that starts at <paramref name="address"/>, or -1; <paramref name="hint"/> is the caller's last segment.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ulong address, ref int hint)
    {
        int b = hint;
        if ((uint)b >= (uint)_starts.Length || address - _starts[b] >= _lengths[b])
        {
            b = FindBlock(address);
            if (b < 0)
            {
                return -1;
            }

            hint = b;
        }

        ulong offset = address - _starts[b];
        int slot = (int)(offset >> Shift);
        int[] slots = _slots[b];
        int lo = slots[slot];
        int hi = slots[slot + 1] - 1;
        HeapIndex.Entry[][] entries = _entries[b];
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            ulong a = entries[mid >> HeapIndex.ChunkShift][mid & (HeapIndex.ChunkSize - 1)].Address;
            if (a == address)
            {
                return _baseNodes[b] + mid;
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

    private int FindBlock(ulong address)
    {
        int lo = 0;
        int hi = _starts.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (address < _starts[mid])
            {
                hi = mid - 1;
            }
            else if (address - _starts[mid] >= _lengths[mid])
            {
                lo = mid + 1;
            }
            else
            {
                return mid;
            }
        }

        return -1;
    }
}
