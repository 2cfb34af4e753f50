namespace GcTriage;

/// <summary>
/// What the mark phase must trace, by type (Get-GcMarkCost): the live objects of the type and the references they hold. A
/// pointer-free array costs marking almost nothing however large; many small reference-rich objects cost it most.
/// </summary>
public sealed class GcMarkCostStat
{
    public string TypeName { get; init; } = "";
    public ulong MethodTable { get; init; }
    /// <summary>Objects of the type reachable from roots.</summary>
    public long LiveObjects { get; init; }
    public long LiveBytes { get; init; }
    /// <summary>References the live objects hold (edges of the reference graph, null fields not counted).</summary>
    public long References { get; init; }
    /// <summary>References / LiveObjects.</summary>
    public double ReferencesPerObject { get; init; }
    public long Gen0Objects { get; init; }
    public long Gen1Objects { get; init; }
    public long Gen2Objects { get; init; }
    public long LohObjects { get; init; }
    public long PohObjects { get; init; }
    /// <summary>True when marking ran out of its budget: the figures are lower bounds.</summary>
    public bool Truncated { get; init; }
    public string? DumpPath { get; init; }

    public override string ToString() => $"{TypeName}: {LiveObjects} live, {References} references";
}
