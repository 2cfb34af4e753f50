namespace GcTriage;

/// <summary>
/// The GC's own settings bits, as its GCSettingsRundown event reports them (BitSettings: the runtime's EtwGCSettingFlags,
/// src/coreclr/inc/eventtracebase.h, filled from the GC's EtwGCSettingsInfo).
/// </summary>
[Flags]
public enum GcSettingFlags
{
    None = 0,
    /// <summary>Background (concurrent) GC can run (gc_can_use_concurrent).</summary>
    Concurrent = 0x1,
    /// <summary>The GC heap uses large pages (GCLargePages).</summary>
    LargePages = 0x2,
    /// <summary>Frozen segments are in use (read-only objects the runtime allocates outside the GC heap).</summary>
    FrozenSegments = 0x4,
    /// <summary>The hard limit was configured (GCHeapHardLimit*), rather than set implicitly from a container's memory limit.</summary>
    HardLimitConfigured = 0x8,
    /// <summary>The Server GC's threads are not bound to processors (GCNoAffinitize, or implied under a hard limit).</summary>
    NoAffinitize = 0x10,
}
