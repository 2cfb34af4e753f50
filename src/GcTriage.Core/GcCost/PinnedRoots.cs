using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>What pins one object: the kind of root and which one.</summary>
internal readonly record struct PinnedRoot(GcPinKind Kind, string Root);

/// <summary>
/// The objects pinned by roots: pinned and async-pinned handles, and pinned stack slots (interior pointers map to the object that
/// contains them, through the heap index). Read from the handle table and the threads' stacks, not from the heap.
/// </summary>
internal static class PinnedRoots
{
    public static Dictionary<ulong, PinnedRoot> Collect(ClrRuntime runtime, HeapIndex index, CancellationToken cancellationToken)
    {
        var pinned = new Dictionary<ulong, PinnedRoot>();
        foreach (ClrHandle handle in runtime.EnumerateHandles())
        {
            if (handle.HandleKind is ClrHandleKind.Pinned or ClrHandleKind.AsyncPinned && handle.Object.Address != 0)
            {
                GcPinKind kind = handle.HandleKind == ClrHandleKind.Pinned ? GcPinKind.PinnedHandle : GcPinKind.AsyncPinnedHandle;
                pinned.TryAdd(handle.Object.Address, new PinnedRoot(kind, $"handle 0x{handle.Address:x}"));
            }
        }

        foreach (ClrThread thread in runtime.Threads)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<ClrRoot> roots;
            try
            {
                roots = thread.EnumerateStackRoots().Where(r => r.IsPinned).Cast<ClrRoot>().ToList();
            }
            catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException or ArgumentException)
            {
                // A thread whose stack cannot be read (a damaged dump): its pins are not known; the handles' still are.
                continue;
            }

            foreach (ClrRoot root in roots)
            {
                long i = index.IndexContaining(root.Object.Address);
                if (i >= 0)
                {
                    pinned.TryAdd(index.EntryAt(i).Address, new PinnedRoot(GcPinKind.Stack, $"thread 0x{thread.Address:x} (OS id {thread.OSThreadId})"));
                }
            }
        }

        return pinned;
    }
}
