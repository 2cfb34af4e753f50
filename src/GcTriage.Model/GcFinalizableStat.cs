namespace GcTriage;

/// <summary>
/// Objects of one type the finalizer knows about (Get-GcFinalizable): registered for finalization, and of those the ones ready for
/// finalization (unreachable, queued for the finalizer thread: the backlog). With -Total, one row with TypeName "Total" for all types.
/// </summary>
public sealed class GcFinalizableStat
{
    public string TypeName { get; init; } = "";
    /// <summary>Objects registered for finalization plus those ready for it (SOS finalizequeue's statistics).</summary>
    public long Count { get; init; }
    public long Bytes { get; init; }
    /// <summary>Of Count, the objects already unreachable and waiting for the finalizer thread.</summary>
    public long ReadyForFinalization { get; init; }
    public long ReadyBytes { get; init; }
    /// <summary>True for the one summary row of -Total.</summary>
    public bool IsTotal { get; init; }
    public string? DumpPath { get; init; }

    public override string ToString() => $"{TypeName}: {Count} ({ReadyForFinalization} ready)";
}
