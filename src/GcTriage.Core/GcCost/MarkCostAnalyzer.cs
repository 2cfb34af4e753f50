namespace GcTriage.Core;

/// <summary>Options for Get-GcMarkCost.</summary>
public sealed class MarkCostQuery
{
    /// <summary>Only live objects in these generations. Empty: all.</summary>
    public IReadOnlyList<GcGeneration> Generation { get; init; } = Array.Empty<GcGeneration>();
    public GraphBudget Budget { get; init; } = GraphBudget.Default;
}

/// <summary>
/// The mark phase's work by type, over the session's reference graph and live set: live objects, their bytes, and the references
/// they hold (each an edge marking follows), by generation. References, not bytes, make marking long.
/// </summary>
public static class MarkCostAnalyzer
{
    public static IReadOnlyList<GcMarkCostStat> Analyze(DumpSession session, MarkCostQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null) =>
        session.Read(cancellationToken, ct => AnalyzeLeased(session, query, ct, progress));

    private static IReadOnlyList<GcMarkCostStat> AnalyzeLeased(DumpSession session, MarkCostQuery query, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        ReferenceGraph graph = session.GetGraph(cancellationToken, progress);
        LiveSet live = session.GetLiveSet(query.Budget, cancellationToken, progress);
        int generationMask = HeapQueries.GenerationMask(query.Generation);
        int types = index.Types.Count;
        var objects = new long[types];
        var bytes = new long[types];
        var references = new long[types];
        var byGeneration = new long[types * 5];
        progress?.Report(new GcProgress("Measuring mark cost", "live objects", 0));
        long node = 0;
        foreach (HeapIndex.Block block in index.Blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new GcProgress("Measuring mark cost", $"{node:N0} objects", (int)(100 * node / Math.Max(1, index.Count))));
            for (int i = 0; i < block.Count; i++, node++)
            {
                if (!live.IsLive(node))
                {
                    continue;
                }

                HeapIndex.Entry e = block[i];
                int g = (int)e.Generation;
                if ((generationMask & (1 << g)) == 0)
                {
                    continue;
                }

                int t = e.TypeId;
                objects[t]++;
                bytes[t] += index.SizeOf(e);
                references[t] += graph.Successors((int)node).Length;
                if (g < 5)
                {
                    byGeneration[t * 5 + g]++;
                }
            }
        }

        var result = new List<GcMarkCostStat>();
        for (int t = 0; t < types; t++)
        {
            if (objects[t] == 0 || index.Types[t].IsFree)
            {
                continue;
            }

            result.Add(new GcMarkCostStat
            {
                TypeName = index.Types[t].Name,
                MethodTable = index.Types[t].MethodTable,
                LiveObjects = objects[t],
                LiveBytes = bytes[t],
                References = references[t],
                ReferencesPerObject = (double)references[t] / objects[t],
                Gen0Objects = byGeneration[t * 5 + 0],
                Gen1Objects = byGeneration[t * 5 + 1],
                Gen2Objects = byGeneration[t * 5 + 2],
                LohObjects = byGeneration[t * 5 + 3],
                PohObjects = byGeneration[t * 5 + 4],
                Truncated = live.Truncated,
                DumpPath = session.Path,
            });
        }

        result.Sort((a, b) => b.References != a.References ? b.References.CompareTo(a.References)
            : b.LiveObjects != a.LiveObjects ? b.LiveObjects.CompareTo(a.LiveObjects) : string.CompareOrdinal(a.TypeName, b.TypeName));
        return result;
    }
}
