namespace GcTriage.Core;

/// <summary>
/// Object and array sizes as the CoreCLR lays them out, and the prime capacities its hash collections use
/// (System.Collections.HashHelpers). Used to price a collection's data in another shape.
/// </summary>
public static class RuntimeLayout
{
    /// <summary>Primes HashHelpers.GetPrime picks from (src/libraries/System.Private.CoreLib/src/System/Collections/HashHelpers.cs).</summary>
    private static readonly int[] s_primes =
    {
        3, 7, 11, 17, 23, 29, 37, 47, 59, 71, 89, 107, 131, 163, 197, 239, 293, 353, 431, 521, 631, 761, 919,
        1103, 1327, 1597, 1931, 2333, 2801, 3371, 4049, 4861, 5839, 7013, 8419, 10103, 12143, 14591,
        17519, 21023, 25229, 30293, 36353, 43627, 52361, 62851, 75431, 90523, 108631, 130363, 156437,
        187751, 225307, 270371, 324449, 389357, 467237, 560689, 672827, 807403, 968897, 1162687, 1395263,
        1674319, 2009191, 2411033, 2893249, 3471899, 4166287, 4999559, 5999471, 7199369,
    };

    private const int HashPrime = 101;

    /// <summary>The capacity HashSet/Dictionary allocate for <paramref name="min"/> elements (HashHelpers.GetPrime).</summary>
    public static int GetPrime(int min)
    {
        if (min < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(min));
        }

        foreach (int prime in s_primes)
        {
            if (prime >= min)
            {
                return prime;
            }
        }

        for (int i = min | 1; i < int.MaxValue; i += 2)
        {
            if (IsPrime(i) && (i - 1) % HashPrime != 0)
            {
                return i;
            }
        }

        return min;
    }

    private static bool IsPrime(int candidate)
    {
        if ((candidate & 1) == 0)
        {
            return candidate == 2;
        }

        int limit = (int)Math.Sqrt(candidate);
        for (int divisor = 3; divisor <= limit; divisor += 2)
        {
            if (candidate % divisor == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Heap bytes of a one-dimensional array as the heap reports them (SOS dumpheap, ClrMD): object header (8) + method table (8)
    /// + length (8 with padding) on 64-bit, then the elements. The allocator rounds each object up to 8 bytes; like dumpheap, this
    /// figure leaves that padding (at most 7 bytes per object) out, so that it matches Get-GcHeapStat and Get-GcObject.
    /// </summary>
    public static long ArrayBytes(long elementSize, long length, int pointerSize = 8) => 3L * pointerSize + elementSize * length;

    /// <summary>Bytes of one HashSet&lt;T&gt; entry: int HashCode, int Next, then T, padded to T's alignment.</summary>
    public static long HashSetEntryBytes(long keySize, long keyAlignment) => Align(8 + keySize, Math.Max(4, keyAlignment));

    /// <summary>A HashSet object (header, method table, _buckets, _entries, _fastModMultiplier, _count, _freeList, _freeCount, _version, _comparer).</summary>
    public const long HashSetObjectBytes = 64;

    /// <summary>A BitArray object (header, method table, m_array, m_length, _version).</summary>
    public const long BitArrayObjectBytes = 32;

    /// <summary>A HashSet&lt;TKey&gt; holding <paramref name="count"/> keys, created with that capacity (buckets and entries of GetPrime(count)).</summary>
    public static long HashSetBytes(long count, long keySize, long keyAlignment, long objectBytes = HashSetObjectBytes)
    {
        long capacity = count == 0 ? 0 : GetPrime((int)Math.Min(count, int.MaxValue));
        return HashSetBytesAtCapacity(capacity, keySize, keyAlignment, objectBytes);
    }

    /// <summary>A HashSet&lt;TKey&gt; whose arrays have <paramref name="capacity"/> slots.</summary>
    public static long HashSetBytesAtCapacity(long capacity, long keySize, long keyAlignment, long objectBytes = HashSetObjectBytes)
    {
        if (capacity == 0)
        {
            return objectBytes;
        }

        return objectBytes + ArrayBytes(4, capacity) + ArrayBytes(HashSetEntryBytes(keySize, keyAlignment), capacity);
    }

    /// <summary>A BitArray of <paramref name="bits"/> bits: the object plus an int[] of ceil(bits/32).</summary>
    public static long BitArrayBytes(long bits, long objectBytes = BitArrayObjectBytes) =>
        objectBytes + ArrayBytes(4, (bits + 31) / 32);

    internal static long Align(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
}
