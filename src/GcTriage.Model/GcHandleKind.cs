namespace GcTriage;

/// <summary>The kinds of GC handle the runtime keeps (SOS gchandles names them the same way).</summary>
public enum GcHandleKind
{
    /// <summary>Keeps its target alive (GCHandleType.Normal, statics' object arrays, ...).</summary>
    Strong,
    /// <summary>Keeps its target alive and stops the GC from moving it (GCHandleType.Pinned, fixed buffers handed to native code).</summary>
    Pinned,
    /// <summary>Pins the buffers of an overlapped I/O operation until it completes.</summary>
    AsyncPinned,
    /// <summary>Cleared when its target becomes unreachable (GCHandleType.Weak, WeakReference).</summary>
    WeakShort,
    /// <summary>Cleared only after its target's finalizer ran (GCHandleType.WeakTrackResurrection).</summary>
    WeakLong,
    /// <summary>Keeps its secondary object alive while the primary is (DependentHandle, ConditionalWeakTable).</summary>
    Dependent,
    /// <summary>Strong while its reference count is above zero (COM wrappers).</summary>
    RefCounted,
    /// <summary>Strong, and the GC sizes what it holds (.NET Framework ASP.NET caches).</summary>
    SizedRef,
    /// <summary>Weak reference to a WinRT object.</summary>
    WeakWinRT,
    Unknown,
}
