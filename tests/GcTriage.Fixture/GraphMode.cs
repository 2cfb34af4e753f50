using System.Runtime.CompilerServices;

namespace GcTriage.Fixture;

// Types only this mode allocates, so their instances can be found by type name; sizes are 64-bit.

/// <summary>The diamond's top: 32 bytes.</summary>
public sealed class GraphDiamondTop
{
    public GraphDiamondSide? Left;
    public GraphDiamondSide? Right;
}

/// <summary>Either side of the diamond: 24 bytes.</summary>
public sealed class GraphDiamondSide
{
    public GraphDiamondShared? Child;
}

/// <summary>The diamond's bottom, shared by both sides: 24 bytes, and its byte[1000] (1,024 bytes).</summary>
public sealed class GraphDiamondShared
{
    public byte[]? Payload;
}

/// <summary>A node of the three-node cycle: 32 bytes, and its byte[100] (124 bytes).</summary>
public sealed class GraphCycleNode
{
    public GraphCycleNode? Next;
    public byte[]? Payload;
}

/// <summary>One of the two holders of the shared target: 24 bytes.</summary>
public sealed class GraphSharedHolder
{
    public GraphSharedTarget? Target;
}

/// <summary>The object both holders refer to: 24 bytes, and its byte[2000] (2,024 bytes).</summary>
public sealed class GraphSharedTarget
{
    public byte[]? Payload;
}

/// <summary>A node of the 200,000-deep chain: 24 bytes.</summary>
public sealed class GraphChainNode
{
    public GraphChainNode? Next;
}

/// <summary>A value of the dictionary: 24 bytes, and its byte[1024] (1,048 bytes).</summary>
public sealed class GraphItem
{
    public byte[]? Data;
}

/// <summary>
/// Heap shapes whose dominators and retained sizes are known exactly (64-bit), each held by a static field of this class; then
/// waits (see Program.ReadyAndWait). Sizes are as the heap reports them (an array's 24-byte header and its elements, without the
/// allocator's padding to 8 bytes). Everything is built in methods of their own, so no stack slot of a live frame holds it.
///
///  - Diamond (s_diamond): GraphDiamondTop (32 B) -> Left, Right: two GraphDiamondSide (24 B each) -> both to one GraphDiamondShared
///    (24 B) -> byte[1000] (1,024 B). The shared object is dominated by the top, not by either side: the top retains 1,128 bytes in
///    5 objects, each side 24 bytes in 1, the shared object 1,048 bytes in 2.
///  - Cycle (s_cycle): three GraphCycleNode (32 B, each with a byte[100] of 124 B) in a ring, entered at the first: the first
///    retains 468 bytes in 6 objects, the second 312 in 4 (dominated by the first), the third 156 in 2 (dominated by the second).
///  - Two roots (s_holderA, s_holderB): two GraphSharedHolder (24 B) -> one GraphSharedTarget (24 B) -> byte[2000] (2,024 B). Neither
///    holder retains the target (each retains 24 bytes in 1); the target is a top dominator retaining 2,048 bytes in 2.
///  - Chain (s_chain): 200,000 GraphChainNode (24 B), each node dominated by the one before it: the head retains 4,800,000 bytes in
///    200,000 objects, the node at depth k (head 0) 24 x (200,000 - k) bytes.
///  - Dictionary (s_items): Dictionary&lt;int,GraphItem&gt; created with capacity 1,000, keys 0..999, each value a GraphItem (24 B)
///    holding a byte[1024] (1,048 B): it retains its own object, buckets and entries (its ShallowBytes in Get-GcDictionary) plus
///    1,000 x 1,072 = 1,072,000 bytes, in 3 + 2,000 objects.
/// </summary>
public static class GraphMode
{
    public const int ChainLength = 200_000;
    public const int ItemCount = 1000;

    public static GraphDiamondTop? s_diamond;
    public static GraphCycleNode? s_cycle;
    public static GraphSharedHolder? s_holderA;
    public static GraphSharedHolder? s_holderB;
    public static GraphChainNode? s_chain;
    public static Dictionary<int, GraphItem>? s_items;

    public static int Run(string[] args)
    {
        BuildDiamond();
        BuildCycle();
        BuildSharedTarget();
        BuildChain();
        BuildDictionary();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Program.ReadyAndWait();
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BuildDiamond()
    {
        var shared = new GraphDiamondShared { Payload = new byte[1000] };
        s_diamond = new GraphDiamondTop
        {
            Left = new GraphDiamondSide { Child = shared },
            Right = new GraphDiamondSide { Child = shared },
        };
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BuildCycle()
    {
        var third = new GraphCycleNode { Payload = new byte[100] };
        var second = new GraphCycleNode { Next = third, Payload = new byte[100] };
        var first = new GraphCycleNode { Next = second, Payload = new byte[100] };
        third.Next = first;
        s_cycle = first;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BuildSharedTarget()
    {
        var target = new GraphSharedTarget { Payload = new byte[2000] };
        s_holderA = new GraphSharedHolder { Target = target };
        s_holderB = new GraphSharedHolder { Target = target };
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BuildChain()
    {
        GraphChainNode? next = null;
        for (int i = 0; i < ChainLength; i++)
        {
            next = new GraphChainNode { Next = next };
        }

        s_chain = next;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BuildDictionary()
    {
        var items = new Dictionary<int, GraphItem>(ItemCount);
        for (int i = 0; i < ItemCount; i++)
        {
            items[i] = new GraphItem { Data = new byte[1024] };
        }

        s_items = items;
    }
}
