namespace GcTriage.Fixture;

/// <summary>
/// The deep-graph benchmark heap (bench/Graph.Bench.ps1 -Heap chains): C linked chains of L ChainNode (32 bytes each, values
/// c * L + i, each node's Next the following one), the heads held by ChainsMode.s_heads, a ChainNode[C]. Defaults: 1,000 chains of
/// 100,000 nodes, 100 million objects, 3.2 GB. Args: [C] [L].
/// </summary>
public static class ChainsMode
{
    public static ChainNode?[]? s_heads;

    public static int Run(string[] args)
    {
        int chains = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        int length = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        s_heads = new ChainNode?[chains];
        for (int c = 0; c < chains; c++)
        {
            ChainNode? head = null;
            for (int i = length - 1; i >= 0; i--)
            {
                head = new ChainNode { Next = head, Value = (long)c * length + i };
            }

            s_heads[c] = head;
        }

        GC.Collect();
        Program.ReadyAndWait();
        GC.KeepAlive(s_heads);
        return 0;
    }
}
