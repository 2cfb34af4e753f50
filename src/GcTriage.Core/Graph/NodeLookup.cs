using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GcTriage.Core;

/// <summary>
/// Address to node (heap index position) for the graph build, where every pointer of the heap is looked up once: the segment by a
/// binary search over segment starts (the last hit tried first), then a per-segment bitmap with one bit per 8 bytes (set where an
/// object starts) whose 64-bit words carry the number of objects before them, so that a node is a rank: one memory access per
/// pointer, interior pointers rejected by a clear bit. The bitmaps cost 12 bytes per 512 bytes of heap and live only while the
/// graph is built.
/// </summary>
internal sealed class NodeLookup
{
    private readonly ulong[] _starts;
    private readonly ulong[] _lengths;
    private readonly int[] _baseNodes;
    private readonly Word[][] _words;

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct Word
    {
        /// <summary>Bit i: an object starts at the word's first address + 8 * i.</summary>
        public ulong Starts;
        /// <summary>Objects of the segment that start before this word.</summary>
        public int Before;
    }

    public NodeLookup(HeapIndex index)
    {
        var blocks = index.Blocks.Where(b => b.Count > 0).OrderBy(b => b.BaseIndex).ToArray();
        _starts = new ulong[blocks.Length];
        _lengths = new ulong[blocks.Length];
        _baseNodes = new int[blocks.Length];
        _words = new Word[blocks.Length][];
        Parallel.For(0, blocks.Length, i =>
        {
            HeapIndex.Block b = blocks[i];
            ulong first = b[0].Address;
            ref HeapIndex.Entry last = ref b[b.Count - 1];
            ulong end = last.Address + (ulong)Math.Max(1, index.SizeOf(last));
            _starts[i] = first;
            _lengths[i] = end - first;
            _baseNodes[i] = (int)b.BaseIndex;
            _words[i] = BuildWords(b, first, end);
        });
    }

    private static Word[] BuildWords(HeapIndex.Block block, ulong first, ulong end)
    {
        var words = new Word[checked((int)(((end - first) >> 9) + 1))];
        for (int c = 0; c < block.Chunks.Count; c++)
        {
            HeapIndex.Entry[] chunk = block.Chunks[c];
            int count = Math.Min(chunk.Length, block.Count - (c << HeapIndex.ChunkShift));
            for (int j = 0; j < count; j++)
            {
                ulong slot = (chunk[j].Address - first) >> 3;
                words[slot >> 6].Starts |= 1UL << (int)(slot & 63);
            }
        }

        int before = 0;
        for (int w = 0; w < words.Length; w++)
        {
            words[w].Before = before;
            before += BitOperations.PopCount(words[w].Starts);
        }

        return words;
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
        if ((offset & 7) != 0)
        {
            return -1;
        }

        ulong slot = offset >> 3;
        ref Word word = ref _words[b][(int)(slot >> 6)];
        ulong bit = 1UL << (int)(slot & 63);
        if ((word.Starts & bit) == 0)
        {
            return -1;
        }

        return _baseNodes[b] + word.Before + BitOperations.PopCount(word.Starts & (bit - 1));
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
