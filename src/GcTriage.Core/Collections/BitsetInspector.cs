using System.Numerics;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>Filters for the bitset census.</summary>
public sealed class BitsetQuery
{
    /// <summary>bool[] shorter than this are not listed (BitArrays always are).</summary>
    public long MinLength { get; init; } = BitsetInspector.DefaultMinLength;
    public bool Live { get; init; }
    public GraphBudget Budget { get; init; } = GraphBudget.Default;
}

/// <summary>
/// Every System.Collections.BitArray and every bool[] of at least MinLength on the heap, with the bits really set. byte[], uint[]
/// and ulong[] are not listed: nothing in their type says they are bit fields, and guessing would list every buffer.
/// </summary>
public static class BitsetInspector
{
    /// <summary>1,024 elements: a bool[] below 1 KB costs less than the BitArray object overhead would save worth reporting.</summary>
    public const long DefaultMinLength = 1024;

    private const int ReadChunkBytes = 1 << 20;

    /// <summary>Under a lease of the session (<see cref="DumpSession.Read"/>): Close-GcDump cancels it and waits for it.</summary>
    public static IReadOnlyList<GcBitsetInfo> GetBitsets(DumpSession session, BitsetQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null) =>
        session.Read(cancellationToken, ct => GetBitsetsLeased(session, query, ct, progress));

    private static IReadOnlyList<GcBitsetInfo> GetBitsetsLeased(DumpSession session, BitsetQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        LiveSet? live = query.Live ? session.GetLiveSet(query.Budget, cancellationToken, progress) : null;
        var kind = new string?[index.Types.Count];
        for (int t = 0; t < kind.Length; t++)
        {
            kind[t] = index.Types[t].Name switch
            {
                "System.Collections.BitArray" => "BitArray",
                "System.Boolean[]" => "BoolArray",
                _ => null,
            };
        }

        var candidates = new List<(ulong Address, string Kind, GcGeneration Generation, long Size)>();
        index.ForEach((i, e) =>
        {
            string? k = kind[e.TypeId];
            if (k is not null && (live is null || live.IsLive(i)))
            {
                candidates.Add((e.Address, k, e.Generation, index.SizeOf(e)));
            }
        }, cancellationToken);

        ClrRuntime runtime = session.Runtime;
        var result = new List<GcBitsetInfo>();
        foreach (var (address, k, generation, size) in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            GcBitsetInfo? info = k == "BitArray"
                ? ReadBitArray(runtime, index, address, size, session.Path, cancellationToken)
                : ReadBoolArray(runtime, address, generation, size, query.MinLength, session.Path, cancellationToken);
            if (info is not null)
            {
                result.Add(info);
            }
        }

        result.Sort((a, b) => b.Bytes != a.Bytes ? b.Bytes.CompareTo(a.Bytes) : a.Address.CompareTo(b.Address));
        return result;
    }

    // BitArray (src/libraries/System.Collections/src/System/Collections/BitArray.cs): up to .NET 9 int[] m_array and int m_length;
    // from .NET 10 byte[] _array and int _bitLength. Either way bit i is bit (i % 8) of byte (i / 8) of the array's data (little-endian).
    internal static GcBitsetInfo ReadBitArray(ClrRuntime runtime, HeapIndex index, ulong address, long objectSize, string? dumpPath, CancellationToken cancellationToken)
    {
        ClrObject obj = runtime.Heap.GetObject(address);
        ClrType type = obj.Type!;
        var problems = new List<string>();
        ClrInstanceField? arrayField = type.GetFieldByName("_array") ?? type.GetFieldByName("m_array");
        ClrInstanceField? lengthField = type.GetFieldByName("_bitLength") ?? type.GetFieldByName("m_length");
        string fields = string.Join(", ", type.Fields.Select(f => f.Name + " " + f.ElementType));
        long bytes = objectSize;
        long lengthBits = 0;
        long setBits = 0;
        long wordBytes = 4;
        GcGeneration generation = index.GenerationOf(address);
        if (lengthField is null || lengthField.ElementType != ClrElementType.Int32)
        {
            problems.Add($"field _bitLength (or m_length) not found on {type.Name} (it has {fields})");
        }
        else
        {
            lengthBits = lengthField.Read<int>(address, interior: false);
        }

        if (arrayField is null || !arrayField.IsObjectReference)
        {
            problems.Add($"field _array (or m_array) not found on {type.Name} (it has {fields})");
        }
        else
        {
            ClrObject words = arrayField.ReadObject(address, interior: false);
            if (!words.IsNull && words.IsValid && words.Type is not null)
            {
                bytes += (long)words.Size;
                wordBytes = Math.Max(1, words.Type.ComponentSize);
                if ((long)words.Size > objectSize)
                {
                    generation = index.GenerationOf(words.Address);
                }

                long dataBytes = words.AsArray().Length * wordBytes;
                long usedBytes = Math.Min(dataBytes, (lengthBits + 7) / 8);
                int tailBits = (int)(lengthBits % 8);
                long offset = 0;
                ForEachChunk(runtime, words.Address, usedBytes, cancellationToken, chunk =>
                {
                    for (int i = 0; i < chunk.Length; i++, offset++)
                    {
                        uint b = chunk[i];
                        if (offset == usedBytes - 1 && tailBits != 0)
                        {
                            b &= (1u << tailBits) - 1;
                        }

                        setBits += BitOperations.PopCount(b);
                    }
                }, problems);
            }
        }

        return new GcBitsetInfo
        {
            Address = address,
            Kind = "BitArray",
            TypeName = type.Name ?? "System.Collections.BitArray",
            LengthBits = lengthBits,
            Bytes = bytes,
            SetBits = setBits,
            Density = lengthBits == 0 ? 0 : (double)setBits / lengthBits,
            Generation = generation,
            BitArrayBytes = bytes,
            Problems = problems.ToArray(),
            DumpPath = dumpPath,
        };
    }

    internal static GcBitsetInfo? ReadBoolArray(ClrRuntime runtime, ulong address, GcGeneration generation, long size, long minLength, string? dumpPath, CancellationToken cancellationToken)
    {
        ClrObject obj = runtime.Heap.GetObject(address);
        int length = obj.AsArray().Length;
        if (length < minLength)
        {
            return null;
        }

        var problems = new List<string>();
        long set = 0;
        ForEachChunk(runtime, address, length, cancellationToken, chunk => set += chunk.Length - chunk.Count((byte)0), problems);
        return new GcBitsetInfo
        {
            Address = address,
            Kind = "BoolArray",
            TypeName = obj.Type?.Name ?? "System.Boolean[]",
            LengthBits = length,
            Bytes = size,
            SetBits = set,
            Density = length == 0 ? 0 : (double)set / length,
            Generation = generation,
            BitArrayBytes = RuntimeLayout.BitArrayBytes(length),
            Problems = problems.ToArray(),
            DumpPath = dumpPath,
        };
    }

    /// <summary>Reads the first <paramref name="bytes"/> bytes of an array's elements in 1 MB chunks.</summary>
    private static void ForEachChunk(ClrRuntime runtime, ulong arrayAddress, long bytes, CancellationToken cancellationToken, SpanAction visit, List<string> problems)
    {
        IDataReader memory = runtime.DataTarget.DataReader;
        ulong data = arrayAddress + (ulong)(2 * memory.PointerSize);
        byte[] buffer = new byte[(int)Math.Min(ReadChunkBytes, Math.Max(1, bytes))];
        for (long offset = 0; offset < bytes; offset += buffer.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = (int)Math.Min(buffer.Length, bytes - offset);
            Span<byte> span = buffer.AsSpan(0, n);
            if (memory.Read(data + (ulong)offset, span) < n)
            {
                problems.Add($"bytes {offset}..{offset + n - 1} of 0x{arrayAddress:x} are not in the dump");
                continue;
            }

            visit(span);
        }
    }

    private delegate void SpanAction(ReadOnlySpan<byte> chunk);
}
