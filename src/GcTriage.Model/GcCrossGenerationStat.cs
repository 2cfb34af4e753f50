namespace GcTriage;

/// <summary>
/// References from older objects to younger ones, grouped by source type and generations (Get-GcCrossGenerationReference): each is
/// a card every gen0/gen1 GC must scan. As SOS ephrefs counts them: from gen1, gen2, LOH and POH objects to gen0 objects, and from
/// gen2, LOH and POH objects to gen1 objects; every object on the heap, live or not; dependent handles not counted.
/// </summary>
public sealed class GcCrossGenerationStat
{
    public string SourceType { get; init; } = "";
    public ulong SourceMethodTable { get; init; }
    /// <summary>The field(s) holding the young objects, from sampled references ("[]" for array elements).</summary>
    public string? Field { get; init; }
    public GcGeneration SourceGeneration { get; init; }
    public GcGeneration TargetGeneration { get; init; }
    /// <summary>References (an object holding the same young object twice counts twice, as SOS does).</summary>
    public long Count { get; init; }
    /// <summary>Source objects holding at least one such reference.</summary>
    public long SourceObjects { get; init; }
    /// <summary>Sum of the referenced objects' sizes, per reference.</summary>
    public long TargetBytes { get; init; }
    public string? DumpPath { get; init; }

    public override string ToString() => $"{SourceType}.{Field} {SourceGeneration}->{TargetGeneration}: {Count}";
}
