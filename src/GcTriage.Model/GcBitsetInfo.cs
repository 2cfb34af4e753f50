namespace GcTriage;

/// <summary>A bit field on the heap: a System.Collections.BitArray, or a bool[] (one byte per bit).</summary>
public sealed class GcBitsetInfo
{
    public ulong Address { get; init; }
    /// <summary>BitArray or BoolArray.</summary>
    public string Kind { get; init; } = "";
    public string TypeName { get; init; } = "";
    /// <summary>Bits it holds: BitArray.Length, or the bool[] length.</summary>
    public long LengthBits { get; init; }
    /// <summary>Heap bytes: the BitArray object and its int[], or the bool[].</summary>
    public long Bytes { get; init; }
    /// <summary>Bits set (true elements); the unused tail of a BitArray's last word is not counted.</summary>
    public long SetBits { get; init; }
    /// <summary>SetBits / LengthBits.</summary>
    public double Density { get; init; }
    public GcGeneration Generation { get; init; }
    /// <summary>For bool[]: the bytes the same bits take as a BitArray (object plus int[]); for a BitArray, Bytes.</summary>
    public long BitArrayBytes { get; init; }
    /// <summary>Bytes - BitArrayBytes.</summary>
    public long SavingBytes => Bytes - BitArrayBytes;
    public IReadOnlyList<string> Problems { get; init; } = Array.Empty<string>();
    public string? DumpPath { get; init; }

    public override string ToString() => $"0x{Address:x} {TypeName}: {SetBits} of {LengthBits} bits set";
}
