namespace GcTriage;

/// <summary>What keeps an object from moving.</summary>
public enum GcPinKind
{
    /// <summary>A pinned GC handle (GCHandleType.Pinned).</summary>
    PinnedHandle,
    /// <summary>An async-pinned handle (overlapped I/O buffers).</summary>
    AsyncPinnedHandle,
    /// <summary>A pinned local on a thread's stack (fixed, or a pinned interior pointer the JIT reports).</summary>
    Stack,
    /// <summary>Allocated on the pinned object heap (GC.AllocateArray(pinned: true)): never moves, never fragments the SOH.</summary>
    PinnedObjectHeap,
}
