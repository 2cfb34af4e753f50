namespace GcTriage.Core;

/// <summary>What holds a root: the names are the ones Get-GcRoot prints as RootKind.</summary>
public enum RootKind
{
    /// <summary>A static field (named Namespace.Type.Field); its storage object is also reached through the runtime's handles.</summary>
    StaticField,
    Stack,
    StrongHandle,
    PinnedHandle,
    AsyncPinnedHandle,
    RefCountedHandle,
    SizedRefHandle,
    FinalizerQueue,
    Other,
}
