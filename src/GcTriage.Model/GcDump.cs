namespace GcTriage;

/// <summary>
/// An open dump: a disposable session that owns the dump reader and its heap index.
/// Made by Open-GcDump, ended by Close-GcDump (or Dispose). The reader itself lives in GcTriage.Core,
/// in the module's own load context; this base class is all a script sees.
/// </summary>
public abstract class GcDump : IDisposable
{
    /// <summary>Full path of the dump file.</summary>
    public abstract string Path { get; }
    /// <summary>The runtime version the matched DAC belongs to (the dump itself may read 0.0 on Linux).</summary>
    public abstract string? RuntimeVersion { get; }
    /// <summary>Workstation or Server.</summary>
    public abstract string GcMode { get; }
    public abstract int HeapCount { get; }
    /// <summary>Objects on the heap once the heap has been walked; null before the first walk.</summary>
    public abstract long? ObjectCount { get; }
    /// <summary>Which DAC was used, and why; the candidates rejected on the way.</summary>
    public abstract GcDacResolution Dac { get; }
    public abstract bool IsOpen { get; }
    /// <summary>
    /// True once the heap walk found objects whose header, size or length cannot be right (a damaged or partly overwritten
    /// dump): such objects are left out of every figure, which then undercounts. False before the first walk.
    /// </summary>
    public abstract bool IsDamaged { get; }
    /// <summary>Objects the walk found damaged and left out; null before the first walk.</summary>
    public abstract long? InvalidObjectCount { get; }
    public abstract DateTime OpenedAt { get; }

    public abstract void Dispose();

    public override string ToString() => Path;
}
