namespace GcTriage;

/// <summary>One free block (a gap the GC left between survivors) and the pinned objects in the plug right after it.</summary>
public sealed class GcFreeBlock
{
    public ulong Address { get; init; }
    public long Size { get; init; }
    public GcGeneration Generation { get; init; }
    /// <summary>The segment or region it is in.</summary>
    public ulong SegmentAddress { get; init; }
    public IReadOnlyList<GcPinnedNeighbour> PinnedNeighbours { get; init; } = Array.Empty<GcPinnedNeighbour>();

    public override string ToString() => $"0x{Address:x} {Size} bytes free{(PinnedNeighbours.Count > 0 ? $", before {PinnedNeighbours.Count} pinned" : "")}";
}
