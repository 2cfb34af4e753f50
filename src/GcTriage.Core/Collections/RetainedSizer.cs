using System.Diagnostics;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// Retained bytes of collections: the collection, and every object all of whose referrers are already retained (so it would die
/// with the collection), grown from the collection outwards. Needs every object's referrer count: one pass over the heap's references
/// (roots count as a referrer, so a rooted object is never retained by a collection). Objects in reference cycles inside the
/// collection's graph are not counted, so the figure is exact for trees and DAGs and a lower bound otherwise.
/// </summary>
internal static class RetainedSizer
{
    /// <summary>Objects visited per collection at most (beyond that the row says Truncated).</summary>
    internal const int MaxNodesPerCollection = 10_000_000;

    public static List<GcCollectionInfo> Fill(DumpSession session, HeapIndex index, List<GcCollectionInfo> rows, GraphBudget budget,
        CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        ClrHeap heap = session.Heap;
        var clock = Stopwatch.StartNew();
        // Garbage still on the heap (an array a Dictionary left behind when it grew) refers to the same keys and values:
        // only live referrers count, so this needs the live set.
        LiveSet live = session.GetLiveSet(budget, cancellationToken, progress);
        int[]? referrers = live.Truncated ? null : CountReferrers(heap, index, live, budget, clock, cancellationToken, progress);
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
            var (bytes, truncated) = Retained(heap, index, referrers, row.Address, budget, clock);
            result.Add(CollectionInspector.With(row, row.Live, truncated, bytes));
        }

        return result;
    }

    private static int[]? CountReferrers(ClrHeap heap, HeapIndex index, LiveSet live, GraphBudget budget, Stopwatch clock, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        var counts = new int[index.Count];
        long done = 0;
        bool outOfBudget = false;
        progress?.Report(new GcProgress("Counting referrers", "roots", -1));
        foreach (ClrRoot root in heap.EnumerateRoots())
        {
            long r = index.IndexOf(root.Object.Address);
            if (r >= 0 && counts[r] < int.MaxValue)
            {
                counts[r]++;
            }
        }

        try
        {
            index.ForEach((i, e) =>
            {
                if ((++done & 0xFFFF) == 0)
                {
                    if (clock.Elapsed >= budget.MaxTime)
                    {
                        outOfBudget = true;
                        throw new OperationCanceledException();
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(new GcProgress("Counting referrers", $"{done:N0} objects", (int)(100 * done / Math.Max(1, index.Count))));
                }

                ClrType? type = index.Types[e.TypeId].ClrType;
                if (type is null || !type.ContainsPointers || !live.IsLive(i))
                {
                    return;
                }

                foreach (ulong child in heap.GetObject(e.Address, type).EnumerateReferenceAddresses(carefully: false, considerDependantHandles: false))
                {
                    long c = index.IndexOf(child);
                    if (c >= 0 && counts[c] < int.MaxValue)
                    {
                        counts[c]++;
                    }
                }
            }, cancellationToken);
        }
        catch (OperationCanceledException) when (outOfBudget)
        {
            return null;
        }

        return counts;
    }

    private static (long Bytes, bool Truncated) Retained(ClrHeap heap, HeapIndex index, int[] referrers, ulong address, GraphBudget budget, Stopwatch clock)
    {
        long start = index.IndexOf(address);
        if (start < 0)
        {
            return (0, true);
        }

        var owned = new HashSet<long> { start };
        var seen = new Dictionary<long, int>();
        var queue = new Queue<long>();
        queue.Enqueue(start);
        long bytes = 0;
        while (queue.Count > 0)
        {
            if (owned.Count > MaxNodesPerCollection || clock.Elapsed >= budget.MaxTime)
            {
                return (bytes, true);
            }

            long i = queue.Dequeue();
            HeapIndex.Entry e = index.EntryAt(i);
            bytes += index.SizeOf(e);
            ClrType? type = index.Types[e.TypeId].ClrType;
            if (type is null || !type.ContainsPointers)
            {
                continue;
            }

            foreach (ulong child in heap.GetObject(e.Address, type).EnumerateReferenceAddresses(carefully: false, considerDependantHandles: false))
            {
                long c = index.IndexOf(child);
                if (c < 0 || owned.Contains(c))
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
