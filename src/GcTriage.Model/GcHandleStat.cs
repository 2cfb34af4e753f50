namespace GcTriage;

/// <summary>GC handles of one kind whose targets have one type: how many, and the bytes of their targets (Get-GcHandle).</summary>
public sealed class GcHandleStat
{
    public GcHandleKind Kind { get; init; }
    /// <summary>Type of the target; for a dependent handle, of its primary object. "(null)" for handles that point nowhere.</summary>
    public string TypeName { get; init; } = "";
    /// <summary>The target type's method table (0 for "(null)"): SOS gchandles -stat lists its rows by it.</summary>
    public ulong MethodTable { get; init; }
    public long Count { get; init; }
    /// <summary>Sum of the targets' sizes (each target counted once per handle, as SOS gchandles -stat does).</summary>
    public long TargetBytes { get; init; }
    /// <summary>Targets by generation: Gen0/Gen1/Gen2/LOH/POH/Frozen counts (pinned handles in gen0/gen1 are the ones that fragment).</summary>
    public long Gen0Count { get; init; }
    public long Gen1Count { get; init; }
    public long Gen2Count { get; init; }
    public long LohCount { get; init; }
    public long PohCount { get; init; }
    public string? DumpPath { get; init; }

    public override string ToString() => $"{Kind} {TypeName}: {Count}";
}
