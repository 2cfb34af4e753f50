using System.Runtime;

namespace GcTriage.Fixture;

// Types that only BigHeapMode allocates, so their counts on the heap are exact.
public sealed class BigLeaf
{
    public long Value;
}

public sealed class BigPair
{
    public long A;
    public long B;
    public object? Link;
}

public sealed class BigScratch
{
    public long Value;
    public int Thread;
}

public sealed class BigRecord
{
    public int Id;
    public string? Name;
    public BigLeaf? Leaf;
}

/// <summary>
/// A big heap for the heap-walk benchmark (bench/HeapStat.Bench.ps1): about 10.6 million objects in about 1.5 GB,
/// built, then compacted by two full blocking GCs so that only live objects remain, then waits (Program.ReadyAndWait).
///
/// Known figures (64-bit), with the default arguments:
///  - BigLeaf:   4,000,000 live, 24 bytes each (BigHeapMode.s_leaves, a BigLeaf[]).
///  - BigPair:   3,000,000 live, 40 bytes each (BigHeapMode.s_pairs), each pair's Link is the leaf of the same index.
///  - BigRecord: 1,500,000 live, 40 bytes each (BigHeapMode.s_records), with Leaf = the leaf of the same index and Name
///    = one of the 1,500,000 strings below.
///  - System.String: 1,500,000 of them "r0".."r1499999" (plus whatever the runtime itself holds).
///  - System.Byte[]: 600,000 arrays of 64 bytes (88 bytes each on the heap) in BigHeapMode.s_buffers.
///  - One holder array each: BigLeaf[], BigPair[], BigRecord[] and System.Byte[][] (all on the LOH).
///  - BigHeapMode.s_set: Dictionary&lt;long,bool&gt; made with capacity 40,000,000 (rounded up to a prime by the runtime), then
///    25,000,000 keys 0,3,6,... (multiples of 3), all true: one Entry[] (24 bytes per entry) and one int[] of buckets, about 1.1 GB.
///  - BigScratch: 1,000 per allocating thread (4 threads: 4,000), 32 bytes each, each thread's in a BigScratch[1000]
///    (8,024 bytes), allocated after the GCs by threads that then block, so that their allocation contexts stay open in gen0.
///  - In all about 10.6 million objects and 1.5 GB (the fixture prints GC.GetTotalMemory on its BIGHEAP line).
/// Arguments (optional): [leaves] [pairs] [records] [buffers] [setKeys] [setCapacity] [allocatingThreads] to scale it down or up.
/// </summary>
public static class BigHeapMode
{
    public static BigLeaf[]? s_leaves;
    public static BigPair[]? s_pairs;
    public static BigRecord[]? s_records;
    public static byte[][]? s_buffers;
    public static Dictionary<long, bool>? s_set;

    public const int Leaves = 4_000_000;
    public const int Pairs = 3_000_000;
    public const int Records = 1_500_000;
    public const int Buffers = 600_000;
    public const int BufferLength = 64;
    public const int SetKeys = 25_000_000;
    public const int SetCapacity = 40_000_000;
    public const int AllocatingThreads = 4;
    public const int ScratchPerThread = 1000;

    public static BigScratch[]?[]? s_scratch;
    private static readonly ManualResetEventSlim s_release = new();

    public static int Run(string[] args)
    {
        int leaves = Arg(args, 0, Leaves);
        int pairs = Arg(args, 1, Pairs);
        int records = Arg(args, 2, Records);
        int buffers = Arg(args, 3, Buffers);
        int setKeys = Arg(args, 4, SetKeys);
        int setCapacity = Arg(args, 5, SetCapacity);
        int allocatingThreads = Arg(args, 6, AllocatingThreads);

        s_leaves = new BigLeaf[leaves];
        for (int i = 0; i < leaves; i++)
        {
            s_leaves[i] = new BigLeaf { Value = i };
        }

        s_pairs = new BigPair[pairs];
        for (int i = 0; i < pairs; i++)
        {
            s_pairs[i] = new BigPair { A = i, B = -i, Link = leaves > 0 ? s_leaves[i % leaves] : null };
        }

        s_records = new BigRecord[records];
        for (int i = 0; i < records; i++)
        {
            s_records[i] = new BigRecord { Id = i, Name = "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), Leaf = leaves > 0 ? s_leaves[i % leaves] : null };
        }

        s_buffers = new byte[buffers][];
        for (int i = 0; i < buffers; i++)
        {
            s_buffers[i] = new byte[BufferLength];
            s_buffers[i][0] = (byte)i;
        }

        s_set = new Dictionary<long, bool>(setCapacity);
        for (long k = 0; k < (long)setKeys * 3; k += 3)
        {
            s_set[k] = true;
        }

        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        // Threads that allocate after the last GC and then block: each leaves an open allocation context (an unused gap inside
        // a gen0 region), which a heap walk must step over.
        s_scratch = new BigScratch[allocatingThreads][];
        using (var started = new CountdownEvent(allocatingThreads))
        {
            for (int t = 0; t < allocatingThreads; t++)
            {
                int thread = t;
                var worker = new Thread(() =>
                {
                    var mine = new BigScratch[ScratchPerThread];
                    for (int i = 0; i < mine.Length; i++)
                    {
                        mine[i] = new BigScratch { Value = i, Thread = thread };
                    }

                    s_scratch[thread] = mine;
                    started.Signal();
                    s_release.Wait();
                })
                {
                    IsBackground = true,
                    Name = "scratch" + thread,
                };
                worker.Start();
            }

            started.Wait();
        }

        Console.Out.WriteLine($"BIGHEAP leaves={leaves} pairs={pairs} records={records} buffers={buffers} setKeys={setKeys} threads={allocatingThreads} heapBytes={GC.GetTotalMemory(false)}");
        Program.ReadyAndWait();
        s_release.Set();
        GC.KeepAlive(s_leaves);
        GC.KeepAlive(s_pairs);
        GC.KeepAlive(s_records);
        GC.KeepAlive(s_buffers);
        GC.KeepAlive(s_set);
        return 0;
    }

    private static int Arg(string[] args, int i, int fallback) =>
        args.Length > i && int.TryParse(args[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v) ? v : fallback;
}
