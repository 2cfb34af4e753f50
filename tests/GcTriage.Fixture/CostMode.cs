using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GcTriage.Fixture;

// Types whose instances and handles are exact (nothing else allocates them).
public sealed class CostStrongTarget
{
    public long Id;
}

public sealed class CostPinnedTarget
{
    public long A;
    public long B;
}

public sealed class CostWeakShortTarget
{
    public long Id;
}

public sealed class CostWeakLongTarget
{
    public long Id;
}

public sealed class CostDependentKey
{
    public long Id;
}

public sealed class CostDependentValue
{
    public long Id;
}

/// <summary>A pinnable block (no references): the fragmentation part pins some of these and drops the others.</summary>
public struct CostSlot
{
    public long A;
    public long B;
}

/// <summary>Finalizable: 100 kept alive, 200 dropped while the finalizer thread is blocked (so they stay ready for finalization).</summary>
public sealed class CostFinalizable
{
    public long Id;

    ~CostFinalizable()
    {
        Id = -1;
    }
}

/// <summary>The first object finalized: blocks the finalizer thread for the rest of the process's life.</summary>
public sealed class CostFinalizerBlocker
{
    public static readonly ManualResetEventSlim s_entered = new();
    public static readonly ManualResetEventSlim s_release = new();

    ~CostFinalizerBlocker()
    {
        s_entered.Set();
        s_release.Wait();
    }
}

/// <summary>An old (gen2) object whose field Young is written with a fresh (gen0) object after the last GC.</summary>
public sealed class CostOldNode
{
    public long Id;
    public object? Young;
}

/// <summary>The fresh objects the old ones point at.</summary>
public sealed class CostYoungNode
{
    public long Id;
}

/// <summary>Holds one duplicated string in its field Label.</summary>
public sealed class CostStringHolder
{
    public string? Label;
}

/// <summary>
/// A heap for the GC-cost commands (handles, finalization, fragmentation, duplicate strings), then waits (Program.ReadyAndWait).
///
/// Known figures (64-bit):
///  - GC handles this mode allocates, by kind and target type: 7 Strong to CostStrongTarget, 5 Pinned to CostPinnedTarget,
///    4 WeakShort (GCHandleType.Weak) to CostWeakShortTarget, 3 WeakLong (WeakTrackResurrection) to CostWeakLongTarget,
///    6 dependent handles (DependentHandle) from CostDependentKey to CostDependentValue; plus 20 Pinned handles on the
///    CostSlot[64] arrays of the fragmentation part (every 100th of 2,000; the 1,980 others dropped before a compacting GC).
///  - Finalization: 300 CostFinalizable, 100 kept (CostMode.s_finalizables), 200 dropped after the finalizer thread was blocked in
///    CostFinalizerBlocker's finalizer, then collected: those 200 are ready for finalization and never run.
///  - Old-to-young references: 50 CostOldNode (CostMode.s_oldNodes) and an object[100] (CostMode.s_oldArray) made before the
///    last GCs (so in gen2); after them, the first 40 nodes' Young and 25 of the array's slots get a fresh CostYoungNode (gen0):
///    40 references from 40 CostOldNode and 25 from one Object[], gen2 to gen0. CostOldNode live objects hold 40 references in all.
///  - Strings (each built at run time, none interned): "dup-alpha-0123456789" (20 chars) 500 times, "dup-beta-42" (11 chars)
///    300 times, each held by a CostStringHolder's Label (CostMode.s_holders), and 50 distinct "uniq-NNNN" strings held the same way.
/// </summary>
public static class CostMode
{
    public const int StrongHandles = 7;
    public const int PinnedHandles = 5;
    public const int WeakShortHandles = 4;
    public const int WeakLongHandles = 3;
    public const int DependentHandles = 6;
    public const int Slots = 2000;
    public const int PinEvery = 100;
    public const int SlotLength = 64;
    public const int Finalizables = 300;
    public const int LiveFinalizables = 100;
    public const string Alpha = "dup-alpha-0123456789";
    public const int AlphaCount = 500;
    public const string Beta = "dup-beta-42";
    public const int BetaCount = 300;
    public const int UniqueStrings = 50;
    public const int OldNodes = 50;
    public const int YoungLinks = 40;
    public const int OldArrayLinks = 25;

    public static readonly List<GCHandle> s_handles = new();
    public static readonly List<DependentHandle> s_dependents = new();
    public static readonly List<object> s_dependentKeys = new();
    public static CostFinalizable[]? s_finalizables;
    public static CostStringHolder[]? s_holders;
    public static CostOldNode[]? s_oldNodes;
    public static object?[]? s_oldArray;

    public static int Run(string[] args)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();

        BlockFinalizerThread();
        MakeHandles();
        MakeFinalizables();
        MakeStrings();
        s_oldNodes = new CostOldNode[OldNodes];
        for (int i = 0; i < OldNodes; i++)
        {
            s_oldNodes[i] = new CostOldNode { Id = i };
        }

        s_oldArray = new object?[100];
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        MakeFragmentation();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        LinkYoung();

        Program.ReadyAndWait();
        GC.KeepAlive(s_finalizables);
        GC.KeepAlive(s_holders);
        GC.KeepAlive(s_dependentKeys);
        return 0;
    }

    /// <summary>Old objects written with fresh ones after the last GC: cards the next gen0 GC must scan.</summary>
    private static void LinkYoung()
    {
        for (int i = 0; i < YoungLinks; i++)
        {
            s_oldNodes![i].Young = new CostYoungNode { Id = i };
        }

        for (int i = 0; i < OldArrayLinks; i++)
        {
            s_oldArray![i * 4] = new CostYoungNode { Id = 1000 + i };
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BlockFinalizerThread()
    {
        DropBlocker();
        GC.Collect();
        if (!CostFinalizerBlocker.s_entered.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new InvalidOperationException("the finalizer thread did not run the blocker");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropBlocker() => _ = new CostFinalizerBlocker();

    private static void MakeHandles()
    {
        for (int i = 0; i < StrongHandles; i++)
        {
            s_handles.Add(GCHandle.Alloc(new CostStrongTarget { Id = i }, GCHandleType.Normal));
        }

        for (int i = 0; i < PinnedHandles; i++)
        {
            s_handles.Add(GCHandle.Alloc(new CostPinnedTarget { A = i }, GCHandleType.Pinned));
        }

        // Weak targets stay alive through a strong list, so their handles keep pointing at them.
        for (int i = 0; i < WeakShortHandles; i++)
        {
            var target = new CostWeakShortTarget { Id = i };
            s_dependentKeys.Add(target);
            s_handles.Add(GCHandle.Alloc(target, GCHandleType.Weak));
        }

        for (int i = 0; i < WeakLongHandles; i++)
        {
            var target = new CostWeakLongTarget { Id = i };
            s_dependentKeys.Add(target);
            s_handles.Add(GCHandle.Alloc(target, GCHandleType.WeakTrackResurrection));
        }

        for (int i = 0; i < DependentHandles; i++)
        {
            var key = new CostDependentKey { Id = i };
            s_dependentKeys.Add(key);
            s_dependents.Add(new DependentHandle(key, new CostDependentValue { Id = i }));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MakeFinalizables()
    {
        s_finalizables = new CostFinalizable[LiveFinalizables];
        for (int i = 0; i < Finalizables; i++)
        {
            var f = new CostFinalizable { Id = i };
            if (i < LiveFinalizables)
            {
                s_finalizables[i] = f;
            }
        }
    }

    private static void MakeStrings()
    {
        s_holders = new CostStringHolder[AlphaCount + BetaCount + UniqueStrings];
        int n = 0;
        for (int i = 0; i < AlphaCount; i++)
        {
            s_holders[n++] = new CostStringHolder { Label = new string(Alpha.AsSpan()) };
        }

        for (int i = 0; i < BetaCount; i++)
        {
            s_holders[n++] = new CostStringHolder { Label = new string(Beta.AsSpan()) };
        }

        for (int i = 0; i < UniqueStrings; i++)
        {
            s_holders[n++] = new CostStringHolder { Label = "uniq-" + i.ToString("D4") };
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MakeFragmentation()
    {
        var keep = new CostSlot[Slots][];
        for (int i = 0; i < Slots; i++)
        {
            keep[i] = new CostSlot[SlotLength];
            if (i % PinEvery == PinEvery - 1)
            {
                s_handles.Add(GCHandle.Alloc(keep[i], GCHandleType.Pinned));
            }
        }

        GC.KeepAlive(keep);
    }
}
