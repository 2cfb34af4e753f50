namespace GcTriage;

/// <summary>Objects of one type on the heap: count and bytes, in total and per generation (the generations add up to TotalSize).</summary>
public sealed class GcTypeStat
{
    public string TypeName { get; set; } = "";
    public ulong MethodTable { get; set; }
    public long Count { get; set; }
    public long TotalSize { get; set; }
    public long Gen0Size { get; set; }
    public long Gen1Size { get; set; }
    public long Gen2Size { get; set; }
    public long LohSize { get; set; }
    public long PohSize { get; set; }
    public long FrozenSize { get; set; }
    /// <summary>True when only objects reachable from roots were counted (-Live).</summary>
    public bool Live { get; set; }
    /// <summary>True when a -Live walk ran out of its budget: the figures are a lower bound.</summary>
    public bool Truncated { get; set; }
    /// <summary>True when the dump is damaged (GcDump.IsDamaged): objects that could not be believed are left out of the counts.</summary>
    public bool DumpDamaged { get; set; }
    public string? DumpPath { get; set; }

    public override string ToString() => $"{TypeName}: {Count} objects, {TotalSize} bytes";
}

/// <summary>One object on the heap.</summary>
public sealed class GcObjectInfo
{
    public ulong Address { get; init; }
    public string TypeName { get; init; } = "";
    public ulong MethodTable { get; init; }
    public long Size { get; init; }
    /// <summary>Gen0, Gen1, Gen2, LOH, POH, Frozen.</summary>
    public GcGeneration Generation { get; init; }
    public string? DumpPath { get; init; }

    public override string ToString() => $"0x{Address:x} {TypeName} ({Size} bytes, {Generation})";
}

/// <summary>
/// Difference of one type between two heap snapshots (Compare-GcHeap): Before is the reference snapshot, After the difference
/// snapshot; a type present on one side only has zeros on the other.
/// </summary>
public sealed class GcTypeDelta
{
    public string TypeName { get; init; } = "";
    public long CountBefore { get; init; }
    public long CountAfter { get; init; }
    public long CountDelta => CountAfter - CountBefore;
    public long SizeBefore { get; init; }
    public long SizeAfter { get; init; }
    public long SizeDelta => SizeAfter - SizeBefore;
    /// <summary>True when only objects reachable from roots were compared (-Live).</summary>
    public bool Live { get; init; }
    /// <summary>True when a -Live walk of either dump ran out of its budget: the figures are lower bounds.</summary>
    public bool Truncated { get; init; }
    /// <summary>Where the reference (before) figures came from: a dump path, or null for objects.</summary>
    public string? ReferencePath { get; init; }
    /// <summary>Where the difference (after) figures came from: a dump path, or null for objects.</summary>
    public string? DifferencePath { get; init; }

    public override string ToString() => $"{TypeName}: {SizeDelta:+#;-#;0} bytes";
}
