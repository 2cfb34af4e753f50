namespace GcTriage.Fixture;

/// <summary>
/// Generic types, for comparing the names Get-GcAllocation reads from allocation ticks with the names the heap commands read
/// from a dump. Allocates steadily on one thread, until "exit": GenericAllocMode+Node&lt;long, Session&gt; objects (a generic nested
/// class over a primitive and a class), arrays of them, and Dictionary&lt;long, Session&gt; (its Entry[] buckets), keeping the last
/// 4,096 of each alive in a ring so that a dump holds them. Prints "READY &lt;pid&gt;".
/// </summary>
public static class GenericAllocMode
{
    private static readonly object?[] s_ring = new object?[4096];
    private static volatile bool s_exit;

    public sealed class Session
    {
        public long Id;
    }

    public sealed class Node<TKey, TValue>
    {
        public TKey? Key;
        public TValue? Value;
        public Node<TKey, TValue>? Next;
    }

    public static int Run(string[] args)
    {
        var worker = new Thread(Loop) { IsBackground = true, Name = "generic-alloc" };
        worker.Start();
        Program.ReadyAndWait();
        s_exit = true;
        worker.Join();
        return 0;
    }

    private static void Loop()
    {
        var session = new Session { Id = 1 };
        long i = 0;
        while (!s_exit)
        {
            for (int k = 0; k < 64; k++, i++)
            {
                s_ring[i & 4095] = (i % 3) switch
                {
                    0 => new Node<long, Session> { Key = i, Value = session },
                    1 => new Node<long, Session>[8],
                    _ => new Dictionary<long, Session> { [i] = session },
                };
            }

            Thread.Sleep(1);
        }
    }
}
