namespace GcTriage;

/// <summary>Which heap an allocation tick was for (the runtime's AllocationKind).</summary>
public enum GcAllocationKind
{
    /// <summary>The small object heap (gen0 allocation contexts).</summary>
    Small = 0,
    /// <summary>The large object heap (objects of 85,000 bytes and more).</summary>
    Large = 1,
    /// <summary>The pinned object heap (GC.AllocateArray with pinned: true).</summary>
    Pinned = 2,
}

/// <summary>
/// Allocations of one type (and heap kind) over a sampling window, from the runtime's allocation ticks: one tick per
/// ~100 KB allocated on a heap, carrying the type of the object that crossed the threshold and the bytes since the previous tick.
/// </summary>
public sealed class GcAllocationStat
{
    public string TypeName { get; init; } = "";
    public GcAllocationKind Kind { get; init; }
    /// <summary>Allocation ticks attributed to this type.</summary>
    public long SampleCount { get; init; }
    /// <summary>Sum of the ticks' AllocationAmount64: bytes allocated (on that heap) since the previous tick, attributed to this type.</summary>
    public long EstimatedBytes { get; init; }
    /// <summary>Share of all estimated bytes in the window, 0..100.</summary>
    public double Percent { get; init; }
    /// <summary>With -IncludeStack: the most frequent managed frames of this type's samples, innermost first ("Namespace.Type.Method").</summary>
    public string[] TopFrames { get; init; } = Array.Empty<string>();
    public int ProcessId { get; init; }
    /// <summary>Length of the window in seconds (live session) or of the trace.</summary>
    public double DurationSeconds { get; init; }
    /// <summary>
    /// The part of the window the session listened: a live session without stacks listens DutyCycle of the time (by default
    /// half: 1 s of every 2 s); with stacks, with -OutFile and for a trace it is the whole window.
    /// </summary>
    public double SampledSeconds { get; init; }
    /// <summary>EstimatedBytes / SampledSeconds: this type's allocation rate while the session listened.</summary>
    public double BytesPerSecond { get; init; }

    public override string ToString() => $"{TypeName} ({Kind}): {EstimatedBytes} bytes in {SampleCount} samples";
}
