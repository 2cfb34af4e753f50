namespace GcTriage;

/// <summary>
/// A leak suspect (Get-GcLeakSuspect, after Eclipse MAT's Leak Suspects): an object that retains at least a share of the reachable
/// heap, or a type whose many top-level instances do together; and for an object, the accumulation point where its bytes pile up
/// (the descent into the largest dominated child stops where that child keeps less than 70% of its parent).
/// </summary>
public sealed class GcLeakSuspect
{
    /// <summary>One line saying what it is, what it retains and where it accumulates.</summary>
    public string Suspect { get; init; } = "";
    public GcLeakSuspectKind Kind { get; init; }
    public string TypeName { get; init; } = "";
    /// <summary>The suspect object; for a type group, its largest instance (binds to Get-GcRoot -Address).</summary>
    public ulong Address { get; init; }
    /// <summary>1 for an object; the number of top-level instances for a type group.</summary>
    public long InstanceCount { get; init; }
    public long RetainedBytes { get; init; }
    public long RetainedCount { get; init; }
    /// <summary>RetainedBytes over the bytes reachable from the roots, 0-1.</summary>
    public double ShareOfHeap { get; init; }
    /// <summary>Where the bytes pile up (null for a type group, or when the descent went deeper than its limit).</summary>
    public ulong? AccumulationPointAddress { get; init; }
    public string? AccumulationPointType { get; init; }
    public long? AccumulationPointRetainedBytes { get; init; }
    /// <summary>The kind of the root holding the suspect's top dominator, when that top dominator is itself a root.</summary>
    public string? RootKind { get; init; }
    public string? RootName { get; init; }
    /// <summary>
    /// The root, then the chain of dominators down to the accumulation point (Type@0xaddress -> ...); each one is reachable only
    /// through the one before it. Get-GcRoot gives the reference path field by field.
    /// </summary>
    public string RootPath { get; init; } = "";
    public string? DumpPath { get; init; }

    public override string ToString() => Suspect;
}
