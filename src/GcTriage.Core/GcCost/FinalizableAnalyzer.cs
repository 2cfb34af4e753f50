using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// The finalizer's queues (ClrMD EnumerateFinalizableObjects and EnumerateFinalizerRoots; no heap walk): objects registered for
/// finalization by type, and of those the ones ready for finalization, the backlog the finalizer thread has not run yet.
/// Counts as SOS finalizequeue's statistics ("including all objects ready for finalization").
/// </summary>
public static class FinalizableAnalyzer
{
    public const string TotalName = "Total";

    /// <summary>One row per type, largest Bytes first; with <paramref name="readyOnly"/> only the objects ready for finalization.</summary>
    public static IReadOnlyList<GcFinalizableStat> GetStats(DumpSession session, bool readyOnly, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null) =>
        session.Read(cancellationToken, ct => GetStatsLeased(session, readyOnly, ct, progress));

    private static IReadOnlyList<GcFinalizableStat> GetStatsLeased(DumpSession session, bool readyOnly, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        ClrHeap heap = session.Heap;
        var groups = new Dictionary<string, long[]>(StringComparer.Ordinal);
        long n = 0;

        void Add(ClrObject obj, bool ready)
        {
            if ((++n & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new GcProgress("Reading finalization queues", $"{n:N0} objects", -1));
            }

            if (obj.Address == 0)
            {
                return;
            }

            string name = obj.Type?.Name ?? $"<unknown type at 0x{obj.Address:x}>";
            if (!groups.TryGetValue(name, out long[]? acc))
            {
                acc = new long[4];
                groups.Add(name, acc);
            }

            long size = obj.Type is null ? 0 : (long)obj.Size;
            acc[0]++;
            acc[1] += size;
            if (ready)
            {
                acc[2]++;
                acc[3] += size;
            }
        }

        // The finalizable objects ClrMD enumerates include those ready for finalization (its queue runs on into the f-reachable
        // part): each object counts once, as ready when it is among the finalizer's roots.
        progress?.Report(new GcProgress("Reading finalization queues", "ready for finalization", -1));
        var ready = new HashSet<ulong>();
        foreach (ClrRoot root in heap.EnumerateFinalizerRoots())
        {
            if (ready.Add(root.Object.Address))
            {
                Add(root.Object, ready: true);
            }
        }

        if (!readyOnly)
        {
            progress?.Report(new GcProgress("Reading finalization queues", "registered for finalization", -1));
            var seen = new HashSet<ulong>();
            foreach (ClrObject obj in heap.EnumerateFinalizableObjects())
            {
                if (!ready.Contains(obj.Address) && seen.Add(obj.Address))
                {
                    Add(obj, ready: false);
                }
            }
        }

        return groups
            .Select(kv => new GcFinalizableStat
            {
                TypeName = kv.Key,
                Count = kv.Value[0],
                Bytes = kv.Value[1],
                ReadyForFinalization = kv.Value[2],
                ReadyBytes = kv.Value[3],
                DumpPath = session.Path,
            })
            .OrderByDescending(s => s.Bytes)
            .ThenBy(s => s.TypeName, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The one summary row over <paramref name="rows"/>.</summary>
    public static GcFinalizableStat Total(IReadOnlyList<GcFinalizableStat> rows, string dumpPath) => new()
    {
        TypeName = TotalName,
        Count = rows.Sum(r => r.Count),
        Bytes = rows.Sum(r => r.Bytes),
        ReadyForFinalization = rows.Sum(r => r.ReadyForFinalization),
        ReadyBytes = rows.Sum(r => r.ReadyBytes),
        IsTotal = true,
        DumpPath = dumpPath,
    };
}
