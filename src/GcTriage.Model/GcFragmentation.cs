namespace GcTriage;

/// <summary>
/// Free space between survivors in one generation, or in one segment/region (Get-GcFragmentation): what makes the GC compact or grow.
/// FreeBytes equals SOS gcheapstat's "Free space" for the generation; AllocatedBytes its allocated row.
/// </summary>
public sealed class GcFragmentation
{
    public GcFragmentationScope Scope { get; init; }
    public GcGeneration Generation { get; init; }
    /// <summary>The GC heap (Server GC has one per core); -1 on a generation row that sums every heap.</summary>
    public int Heap { get; init; }
    /// <summary>Segment or region rows: its address (ClrMD's segment address), and where its objects are.</summary>
    public ulong? SegmentAddress { get; init; }
    public ulong? Start { get; init; }
    public ulong? End { get; init; }
    /// <summary>Segments or regions counted in the row.</summary>
    public int Segments { get; init; }
    /// <summary>Bytes of live and dead objects (free blocks excluded).</summary>
    public long ObjectBytes { get; init; }
    /// <summary>Bytes of free blocks.</summary>
    public long FreeBytes { get; init; }
    public long FreeBlocks { get; init; }
    /// <summary>FreeBytes / (ObjectBytes + FreeBytes); 0 when both are 0.</summary>
    public double FragmentationRatio { get; init; }
    /// <summary>Bytes from each segment's first object to its allocated end (free blocks and allocation contexts included).</summary>
    public long AllocatedBytes { get; init; }
    public long CommittedBytes { get; init; }
    /// <summary>Objects pinned by handles or stacks (POH objects not counted) in the row.</summary>
    public long PinnedObjects { get; init; }
    /// <summary>The largest free blocks, largest first, each with the pinned objects in the plug after it.</summary>
    public IReadOnlyList<GcFreeBlock> LargestFreeBlocks { get; init; } = Array.Empty<GcFreeBlock>();
    public string? DumpPath { get; init; }

    public override string ToString() => $"{Generation}: {FreeBytes} free of {ObjectBytes + FreeBytes} ({FragmentationRatio:P1})";
}
