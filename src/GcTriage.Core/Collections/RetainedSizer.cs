using System.Diagnostics;

namespace GcTriage.Core;

/// <summary>
/// Retained bytes of collections: the collection, and every object all of whose referrers are already retained (so it would die
/// with the collection), grown from the collection outwards. Needs every object's referrer count: one pass over the heap's references
/// (over the session's reference graph; a root counts as a referrer, so a rooted object is never retained by a collection). Objects in reference cycles inside the
/// collection's graph are not counted, so the figure is exact for trees and DAGs and a lower bound otherwise.
/// </summary>
internal static class RetainedSizer
{
    /// <summary>Objects visited per collection at most (beyond that the row says Truncated).</summary>
    internal const int MaxNodesPerCollection = 10_000_000;

    public static List<GcCollectionInfo> Fill(DumpSession session, HeapIndex index, List<GcCollectionInfo> rows, GraphBudget budget,
        CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        // Garbage still on the heap (an array a Dictionary left behind when it grew) refers to the same keys and values:
        // only live referrers count, so this needs the live set.
        LiveSet live = session.GetLiveSet(budget, cancellationToken, progress);
        ReferenceGraph graph = session.GetGraph(cancellationToken, progress);
        int[]? referrers = live.Truncated ? null : CountReferrers(graph, session.GetRootSet(cancellationToken, progress), live, budget, cancellationToken, progress);
        var result = new List<GcCollectionInfo>(rows.Count);
        foreach (GcCollectionInfo row in rows)
        {
            if (row.RetainedBytes is not null)
            {
                result.Add(row);
                continue;
            }

            if (referrers is null)
            {
                result.Add(CollectionInspector.With(row, row.Live, truncated: true, retained: row.ShallowBytes));
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var (bytes, truncated) = Retained(graph, index, referrers, row.Address, budget, clock);
            result.Add(CollectionInspector.With(row, row.Live, truncated, bytes));
        }

        return result;
    }

    /// <summary>Referrers of every object: one per root that holds it, one per reference from a live object (dependent handles included).</summary>
    internal static int[]? CountReferrers(ReferenceGraph graph, RootSet roots, LiveSet live, GraphBudget budget, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        var counts = new int[graph.NodeCount];
        foreach (int r in roots.Nodes)
        {
            counts[r]++;
        }

        var meter = new WorkMeter(budget with { MaxNodes = long.MaxValue }, cancellationToken, progress, "Counting referrers", graph.NodeCount);
        for (int i = 0; i < graph.NodeCount; i++)
        {
            if (live.IsLive(i))
            {
                foreach (int c in graph.Successors(i))
                {
                    if (counts[c] < int.MaxValue)
                    {
                        counts[c]++;
                    }
                }
            }

            if (!meter.Add())
            {
                return null;
            }
        }

        return counts;
    }

    private static (long Bytes, bool Truncated) Retained(ReferenceGraph graph, HeapIndex index, int[] referrers, ulong address, GraphBudget budget, Stopwatch clock)
    {
        long found = index.IndexOf(address);
        if (found < 0)
        {
            return (0, true);
        }

        int start = (int)found;
        var owned = new HashSet<int> { start };
        var seen = new Dictionary<int, int>();
        var queue = new Queue<int>();
        queue.Enqueue(start);
        long bytes = 0;
        while (queue.Count > 0)
        {
            if (owned.Count > MaxNodesPerCollection || clock.Elapsed >= budget.MaxTime)
            {
                return (bytes, true);
            }

            int i = queue.Dequeue();
            bytes += index.SizeOf(index.EntryAt(i));
            foreach (int c in graph.Successors(i))
            {
                if (owned.Contains(c))
                {
                    continue;
                }

                int n = seen.TryGetValue(c, out int m) ? m + 1 : 1;
                seen[c] = n;
                if (n >= referrers[c])
                {
                    owned.Add(c);
                    queue.Enqueue(c);
                }
            }
        }

        return (bytes, false);
    }
}
