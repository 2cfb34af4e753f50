namespace GcTriage;

/// <summary>
/// Difference of one type's retained size between two heap snapshots (Compare-GcHeap -Retained): the Get-GcRetained -GroupBy Type
/// row of the reference snapshot (Before) against that of the difference snapshot (After); a type on one side only has zeros on
/// the other.
/// </summary>
public sealed class GcRetainedTypeDelta
{
    public string TypeName { get; init; } = "";
    /// <summary>Top-most instances (none of the same type dominating them) in the reference snapshot.</summary>
    public long CountBefore { get; init; }
    public long CountAfter { get; init; }
    public long CountDelta => CountAfter - CountBefore;
    /// <summary>Their own bytes.</summary>
    public long SizeBefore { get; init; }
    public long SizeAfter { get; init; }
    public long SizeDelta => SizeAfter - SizeBefore;
    /// <summary>Bytes freed if every top-most instance were gone.</summary>
    public long RetainedBytesBefore { get; init; }
    public long RetainedBytesAfter { get; init; }
    public long RetainedBytesDelta => RetainedBytesAfter - RetainedBytesBefore;
    /// <summary>Objects freed with them, themselves included.</summary>
    public long RetainedCountBefore { get; init; }
    public long RetainedCountAfter { get; init; }
    public long RetainedCountDelta => RetainedCountAfter - RetainedCountBefore;
    /// <summary>Where the reference (before) figures came from: a dump path, or null for objects.</summary>
    public string? ReferencePath { get; init; }
    /// <summary>Where the difference (after) figures came from: a dump path, or null for objects.</summary>
    public string? DifferencePath { get; init; }

    public override string ToString() => $"{TypeName}: {RetainedBytesDelta:+#;-#;0} retained bytes";
}
