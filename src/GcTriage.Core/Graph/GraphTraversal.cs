namespace GcTriage.Core;

/// <summary>
/// The traversals every graph question uses, over any <see cref="IDirectedGraph"/>, with one <see cref="WorkMeter"/> for budget,
/// cancellation and progress (one unit per node expanded). No recursion: chains hundreds of thousands deep exist.
/// </summary>
public static class GraphTraversal
{
    internal const int Unvisited = -1;

    /// <summary>Marks every node reachable from <paramref name="roots"/> (depth first, an explicit stack, a bit per node).</summary>
    public static MarkResult Mark(IDirectedGraph graph, ReadOnlySpan<int> roots, WorkMeter meter)
    {
        var bits = new ulong[((long)graph.NodeCount + 63) / 64];
        var stack = new IntStack();
        long marked = 0;
        foreach (int root in roots)
        {
            if (TrySet(bits, root))
            {
                marked++;
                stack.Push(root);
            }
        }

        bool truncated = graph is ReferenceGraph reference && reference.TryGetRows(out int[] offsets, out int[] targets)
            ? MarkRows(offsets, targets, bits, stack, ref marked, meter)
            : MarkAny(graph, bits, stack, ref marked, meter);
        return new MarkResult(bits, graph.NodeCount, marked, truncated);
    }

    private static bool MarkAny(IDirectedGraph graph, ulong[] bits, IntStack stack, ref long marked, WorkMeter meter)
    {
        while (stack.Count > 0)
        {
            int node = stack.Pop();
            foreach (int child in graph.Successors(node))
            {
                if (TrySet(bits, child))
                {
                    marked++;
                    stack.Push(child);
                }
            }

            if (!meter.Add())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <see cref="MarkAny"/> over compressed rows read straight from their arrays (no interface call or span per node), with the
    /// meter told once per <see cref="MeterBatch"/> nodes: the marking that -Live and the mark cost run over a dump's graph.
    /// </summary>
    private static bool MarkRows(int[] offsets, int[] targets, ulong[] bits, IntStack stack, ref long marked, WorkMeter meter)
    {
        int expanded = 0;
        while (stack.Count > 0)
        {
            int node = stack.Pop();
            int end = offsets[node + 1];
            for (int e = offsets[node]; e < end; e++)
            {
                int child = targets[e];
                ref ulong word = ref bits[child >> 6];
                ulong bit = 1UL << child;
                if ((word & bit) == 0)
                {
                    word |= bit;
                    marked++;
                    stack.Push(child);
                }
            }

            if (++expanded == MeterBatch)
            {
                expanded = 0;
                if (!meter.Add(MeterBatch))
                {
                    return true;
                }
            }
        }

        return expanded > 0 && !meter.Add(expanded);
    }

    /// <summary>Nodes expanded between two calls to the meter in <see cref="MarkRows"/> (well under its check interval).</summary>
    private const int MeterBatch = 256;

    /// <summary>
    /// Breadth-first from <paramref name="sources"/> (node, tag >= 0; a node given twice keeps its first tag), so the first time a node is
    /// reached is by a shortest path. <paramref name="visit"/>, when given, sees every edge out of an expanded node and says whether to
    /// follow it, skip it or stop.
    /// </summary>
    public static BreadthFirstResult BreadthFirst(IDirectedGraph graph, ReadOnlySpan<(int Node, int Tag)> sources, WorkMeter meter,
        Func<int, int, EdgeAction>? visit = null)
    {
        var parents = new int[graph.NodeCount];
        Array.Fill(parents, Unvisited);
        var queue = new IntQueue();
        foreach (var (node, tag) in sources)
        {
            if (parents[node] == Unvisited)
            {
                parents[node] = -2 - tag;
                queue.Enqueue(node);
            }
        }

        long visited = 0;
        bool truncated = false;
        bool stopped = false;
        while (queue.Count > 0 && !stopped)
        {
            if (!meter.Add())
            {
                truncated = true;
                break;
            }

            int node = queue.Dequeue();
            visited++;
            foreach (int child in graph.Successors(node))
            {
                EdgeAction action = visit?.Invoke(node, child) ?? EdgeAction.Follow;
                if (action == EdgeAction.Stop)
                {
                    stopped = true;
                    break;
                }

                if (action == EdgeAction.Follow && parents[child] == Unvisited)
                {
                    parents[child] = node;
                    queue.Enqueue(child);
                }
            }
        }

        return new BreadthFirstResult(parents, visited, truncated);
    }

    private static bool TrySet(ulong[] bits, int node)
    {
        ref ulong word = ref bits[node >> 6];
        ulong bit = 1UL << node;
        if ((word & bit) != 0)
        {
            return false;
        }

        word |= bit;
        return true;
    }
}
