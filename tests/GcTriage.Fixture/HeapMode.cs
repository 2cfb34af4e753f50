using System.Collections;
using System.Collections.Concurrent;
using System.Runtime;
using System.Runtime.InteropServices;

namespace GcTriage.Fixture;

// Types whose instance counts on the heap are exact (nothing else allocates them).
public sealed class Widget
{
    public long Id;
    public int Size;
    public object? Tag;
}

public sealed class Gadget
{
    public long A;
    public long B;
}

public static class Cache
{
    /// <summary>The classic incident: a Dictionary used as a set, held by a static.</summary>
    public static Dictionary<long, bool> s_seen = new();
}

public static class Events
{
    public static event Action? Tick;
    public static void Raise() => Tick?.Invoke();
}

/// <summary>
/// Builds a heap whose figures are known exactly, then waits (see Program.ReadyAndWait).
/// All allocation happens inside a no-GC region after a full compacting GC, so the garbage
/// (the arrays Dictionary left behind when it resized, the unreferenced Gadgets) is still on the heap.
///
/// Known figures (64-bit):
///  - Widget: 1000 live (Widget[] in HeapMode.s_widgets), 40 bytes each.
///  - Gadget: 500 live (HeapMode.s_gadgets) + 277 dead, 32 bytes each.
///  - Cache.s_seen: Dictionary&lt;long,bool&gt; with 142,858 keys 0,7,14,...,999,999 (multiples of 7 below 1,000,000), all true,
///    grown from empty, so 15 Entry[] arrays (capacities 3 .. 156,437) exist, one live.
///  - HeapMode.s_flags: bool[1,000,000] on the LOH, index i true when i % 7 == 0: 142,858 true.
///  - HeapMode.s_pinned: byte[1000] on the POH; HeapMode.s_handlePinned: byte[5000] pinned by a GCHandle.
///  - HeapMode.s_intSet: HashSet&lt;int&gt; 0..999 added, then the 250 multiples of 4 removed: Count 750, FreeCount 250.
///  - HeapMode.s_concurrent: ConcurrentDictionary&lt;string,int&gt; with 100 entries "key0".."key99" -> i.
///  - HeapMode.s_guidLists: Dictionary&lt;Guid,List&lt;int&gt;&gt; with 50 entries, each a List&lt;int&gt; of 10.
///  - HeapMode.s_bits: BitArray of 1001 bits, bit i set when i % 3 == 0: 334 set.
///  - A Dictionary&lt;int,string&gt; of 10 entries kept alive only by a lambda's closure subscribed to Events.Tick.
/// </summary>
public static class HeapMode
{
    public static Widget[]? s_widgets;
    public static Gadget[]? s_gadgets;
    public static bool[]? s_flags;
    public static byte[]? s_pinned;
    public static byte[]? s_handlePinnedArray;
    public static GCHandle s_handlePinned;
    public static HashSet<int>? s_intSet;
    public static ConcurrentDictionary<string, int>? s_concurrent;
    public static Dictionary<Guid, List<int>>? s_guidLists;
    public static BitArray? s_bits;

    public const int WidgetCount = 1000;
    public const int LiveGadgets = 500;
    public const int DeadGadgets = 277;
    public const int SeenKeys = 142_858;

    public static int Run(string[] args)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        bool noGc = GC.TryStartNoGCRegion(32L * 1024 * 1024);
        try
        {
            Build();
        }
        finally
        {
            if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }

        Console.Out.WriteLine($"NOGC {noGc}");
        Program.ReadyAndWait();
        GC.KeepAlive(s_widgets);
        Events.Raise();
        return 0;
    }

    private static void Build()
    {
        s_widgets = new Widget[WidgetCount];
        for (int i = 0; i < WidgetCount; i++)
        {
            s_widgets[i] = new Widget { Id = i, Size = i * 2 };
        }

        s_gadgets = new Gadget[LiveGadgets];
        for (int i = 0; i < LiveGadgets + DeadGadgets; i++)
        {
            var g = new Gadget { A = i, B = -i };
            if (i < LiveGadgets)
            {
                s_gadgets[i] = g;
            }
        }

        for (long k = 0; k < 1_000_000; k += 7)
        {
            Cache.s_seen[k] = true;
        }

        s_flags = new bool[1_000_000];
        for (int i = 0; i < s_flags.Length; i += 7)
        {
            s_flags[i] = true;
        }

        s_pinned = GC.AllocateArray<byte>(1000, pinned: true);
        s_handlePinnedArray = new byte[5000];
        s_handlePinned = GCHandle.Alloc(s_handlePinnedArray, GCHandleType.Pinned);

        s_intSet = new HashSet<int>();
        for (int i = 0; i < 1000; i++)
        {
            s_intSet.Add(i);
        }

        for (int i = 0; i < 1000; i += 4)
        {
            s_intSet.Remove(i);
        }

        s_concurrent = new ConcurrentDictionary<string, int>();
        for (int i = 0; i < 100; i++)
        {
            s_concurrent["key" + i] = i;
        }

        s_guidLists = new Dictionary<Guid, List<int>>();
        for (int i = 0; i < 50; i++)
        {
            var bytes = new byte[16];
            bytes[0] = (byte)i;
            bytes[15] = 0x5a;
            var list = new List<int>(10);
            for (int j = 0; j < 10; j++)
            {
                list.Add(i * 10 + j);
            }

            s_guidLists[new Guid(bytes)] = list;
        }

        s_bits = new BitArray(1001);
        for (int i = 0; i < 1001; i += 3)
        {
            s_bits[i] = true;
        }

        SubscribeClosure();
    }

    private static void SubscribeClosure()
    {
        var hidden = new Dictionary<int, string>();
        for (int i = 0; i < 10; i++)
        {
            hidden[i] = "v";
        }

        Events.Tick += () => hidden[0] = "tick";
    }
}
