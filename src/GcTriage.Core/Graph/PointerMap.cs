using System.Buffers.Binary;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// A type's GC descriptor, decoded once per type for the graph build: where an object of the type holds pointers. Read from
/// the words just below the method table as ClrMD's ClrType.GCDesc does (count of series at MT-8) and walked as GCDesc.WalkObject
/// walks it: either series of (offset, size) where size is relative to the object's size (fields; arrays of references), or, for
/// arrays of structs holding references (a negative count), a start offset and a pattern of (pointers, bytes to skip) repeated
/// up to the end of the object. 64-bit targets only.
/// </summary>
internal sealed class PointerMap
{
    private const int PointerSize = 8;

    private PointerMap(long[] offsets, long[] sizes)
    {
        Offsets = offsets;
        Sizes = sizes;
        Counts = Array.Empty<int>();
        Skips = Array.Empty<int>();
    }

    private PointerMap(long start, int[] counts, int[] skips)
    {
        Repeating = true;
        Start = start;
        Counts = counts;
        Skips = skips;
        Offsets = Array.Empty<long>();
        Sizes = Array.Empty<long>();
    }

    /// <summary>Offsets (from the object's address) of each series, ascending.</summary>
    public long[] Offsets { get; }

    /// <summary>Each series' length in bytes less the object's size (the object's size is added per object).</summary>
    public long[] Sizes { get; }

    /// <summary>True for arrays of structs holding references: <see cref="Counts"/> and <see cref="Skips"/> repeat from <see cref="Start"/>.</summary>
    public bool Repeating { get; }

    public long Start { get; }
    public int[] Counts { get; }
    public int[] Skips { get; }

    /// <summary>The descriptor of the type with method table <paramref name="methodTable"/>, or null when it cannot be read.</summary>
    public static PointerMap? Read(IDataReader reader, ulong methodTable)
    {
        if (!reader.Read(methodTable - PointerSize, out long series) || series == 0 || series > 1 << 20 || series < -(1 << 20))
        {
            return null;
        }

        long entries = Math.Abs(series);
        int slots = (int)(1 + entries * 2);
        var data = new byte[slots * PointerSize];
        if (reader.Read(methodTable - (ulong)data.Length, data) != data.Length)
        {
            return null;
        }

        // As GCDesc: the highest series sits just below the count; each series is (size, offset), the next one 16 bytes lower.
        int highest = data.Length - 3 * PointerSize;
        if (series > 0)
        {
            var pairs = new (long Offset, long Size)[series];
            for (int s = 0; s < series; s++)
            {
                int at = highest - s * 2 * PointerSize;
                pairs[s] = (BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(at + PointerSize)), BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(at)));
            }

            Array.Sort(pairs, (a, b) => a.Offset.CompareTo(b.Offset));
            return new PointerMap(pairs.Select(p => p.Offset).ToArray(), pairs.Select(p => p.Size).ToArray());
        }

        // Repeating pattern: the start offset above the highest item, the items (pointer count, skip) going down, one per word.
        long start = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(highest + PointerSize));
        var counts = new int[entries];
        var skips = new int[entries];
        for (int i = 0; i < entries; i++)
        {
            int at = highest - i * PointerSize;
            counts[i] = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(at));
            skips[i] = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(at + PointerSize / 2));
        }

        return new PointerMap(start, counts, skips);
    }
}
