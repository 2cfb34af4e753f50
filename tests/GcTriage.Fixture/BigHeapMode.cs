namespace GcTriage.Fixture;

/// <summary>
/// The benchmark heap: Cache-like Dictionary&lt;long,bool&gt; of N keys 0, 3, 6, ... (all true; default N = 5,000,000) held by
/// BigHeapMode.s_seen, plus M small objects (default 5,000,000 BigNode, 32 bytes each) in linked chunks of 1,000 held by
/// BigHeapMode.s_nodes, so the heap has more than 5 million objects. Args: [N] [M].
/// </summary>
public static class BigHeapMode
{
    public static Dictionary<long, bool>? s_seen;
    public static BigNode[][]? s_nodes;

    public sealed class BigNode
    {
        public long Value;
        public BigNode? Next;
    }

    public static int Run(string[] args)
    {
        int keys = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5_000_000;
        int nodes = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5_000_000;
        s_seen = new Dictionary<long, bool>();
        for (long k = 0; k < keys; k++)
        {
            s_seen[k * 3] = true;
        }

        s_nodes = new BigNode[(nodes + 999) / 1000][];
        for (int c = 0; c < s_nodes.Length; c++)
        {
            var chunk = new BigNode[Math.Min(1000, nodes - c * 1000)];
            for (int i = 0; i < chunk.Length; i++)
            {
                chunk[i] = new BigNode { Value = c * 1000L + i, Next = i > 0 ? chunk[i - 1] : null };
            }

            s_nodes[c] = chunk;
        }

        GC.Collect();
        Program.ReadyAndWait();
        GC.KeepAlive(s_seen);
        return 0;
    }
}
