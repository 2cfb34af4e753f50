namespace GcTriage;

/// <summary>
/// One string value held more than once (Get-GcDuplicateString). The value itself is only set with -IncludeValues: dumps hold secrets.
/// </summary>
public sealed class GcDuplicateString
{
    /// <summary>Characters in the value.</summary>
    public int Length { get; init; }
    /// <summary>String objects with this value.</summary>
    public long Count { get; init; }
    /// <summary>Bytes of one of them on the heap.</summary>
    public long Size { get; init; }
    /// <summary>(Count - 1) x Size: what interning or sharing the value would save.</summary>
    public long WastedBytes { get; init; }
    /// <summary>One instance (binds to Get-GcRoot -Address).</summary>
    public ulong Address { get; init; }
    /// <summary>A field holding that instance, "Type.field", where a referrer was found among the objects beside it in memory; else null.</summary>
    public string? HoldingField { get; init; }
    /// <summary>The value, only with -IncludeValues.</summary>
    public string? Value { get; init; }
    public string? DumpPath { get; init; }

    public override string ToString() => $"{Count} x {Length} chars ({WastedBytes} bytes wasted)";
}
