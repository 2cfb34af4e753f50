namespace GcTriage;

/// <summary>A pinned object right after a free block (in the plug the GC could not move): what left the hole.</summary>
public sealed class GcPinnedNeighbour
{
    public ulong Address { get; init; }
    public string TypeName { get; init; } = "";
    public long Size { get; init; }
    public GcGeneration Generation { get; init; }
    public GcPinKind PinnedBy { get; init; }
    /// <summary>The root that pins it: "handle 0x..." or "thread 0x... (OS id)".</summary>
    public string Root { get; init; } = "";

    public override string ToString() => $"0x{Address:x} {TypeName} ({PinnedBy}: {Root})";
}
