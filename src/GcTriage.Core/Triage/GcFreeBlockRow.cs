namespace GcTriage.Core;

/// <summary>One row of free-blocks.csv: a free block and one pinned object right after it (the pin columns empty when none is).</summary>
internal sealed class GcFreeBlockRow
{
    public GcFreeBlockRow(GcFreeBlock block, GcPinnedNeighbour? pin, string? dumpPath)
    {
        Generation = block.Generation;
        Address = block.Address;
        Size = block.Size;
        SegmentAddress = block.SegmentAddress;
        PinnedAddress = pin?.Address;
        PinnedTypeName = pin?.TypeName;
        PinnedSize = pin?.Size;
        PinnedGeneration = pin?.Generation;
        PinnedBy = pin?.PinnedBy;
        PinnedRoot = pin?.Root;
        DumpPath = dumpPath;
    }

    public GcGeneration Generation { get; }
    public ulong Address { get; }
    public long Size { get; }
    public ulong SegmentAddress { get; }
    public ulong? PinnedAddress { get; }
    public string? PinnedTypeName { get; }
    public long? PinnedSize { get; }
    public GcGeneration? PinnedGeneration { get; }
    public GcPinKind? PinnedBy { get; }
    public string? PinnedRoot { get; }
    public string? DumpPath { get; }
}
