namespace GcTriage;

/// <summary>
/// What the objects of one type retain together (Get-GcRetained -GroupBy Type, MAT's "top consumers"): the sum over its top-most
/// instances, those with no instance of the same type above them in the dominator tree, so nothing is counted twice.
/// </summary>
public sealed class GcRetainedTypeStat
{
    public string TypeName { get; init; } = "";
    /// <summary>Instances counted: the reachable ones with no instance of the same type dominating them.</summary>
    public long Count { get; init; }
    /// <summary>Their own bytes.</summary>
    public long Size { get; init; }
    /// <summary>Bytes freed if every one of them were gone.</summary>
    public long RetainedBytes { get; init; }
    /// <summary>Objects freed with them, themselves included.</summary>
    public long RetainedCount { get; init; }
    /// <summary>RetainedBytes over the bytes reachable from the roots, 0-1.</summary>
    public double ShareOfHeap { get; init; }
    public string? DumpPath { get; init; }

    public override string ToString() => $"{TypeName}: {Count} retain {RetainedBytes} bytes";
}
