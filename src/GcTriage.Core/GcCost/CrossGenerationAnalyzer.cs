using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// Old-to-young references over the session's reference graph (no walk of object fields through ClrMD): for every object in gen1,
/// gen2, the LOH or the POH, its references to gen0 objects and (from gen2, LOH, POH) to gen1 objects, grouped by source type and
/// generations, as SOS ephrefs finds them. The field is named from a few sampled references per group.
/// </summary>
public static class CrossGenerationAnalyzer
{
    private const int SamplesPerGroup = 4;

    private sealed class Group
    {
        public long Count;
        public long Sources;
        public long TargetBytes;
        public readonly List<(ulong Source, ulong Target)> Samples = new();
    }

    public static IReadOnlyList<GcCrossGenerationStat> Analyze(DumpSession session, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null) =>
        session.Read(cancellationToken, ct => AnalyzeLeased(session, ct, progress));

    private static IReadOnlyList<GcCrossGenerationStat> AnalyzeLeased(DumpSession session, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        ReferenceGraph graph = session.GetGraph(cancellationToken, progress);
        progress?.Report(new GcProgress("Finding old-to-young references", "generations", 0));

        // Node i is index position i, in address order: the generations of every node, for the targets.
        var generations = new byte[index.Count];
        long node = 0;
        foreach (HeapIndex.Block block in index.Blocks)
        {
            for (int i = 0; i < block.Count; i++, node++)
            {
                generations[node] = (byte)block[i].Generation;
            }
        }

        var groups = new Dictionary<(int Type, GcGeneration Source, GcGeneration Target), Group>();
        int n = 0;
        foreach (HeapIndex.Block block in index.Blocks)
        {
            for (int i = 0; i < block.Count; i++, n++)
            {
                if ((n & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(new GcProgress("Finding old-to-young references", $"{n:N0} of {graph.NodeCount:N0} objects", (int)(100L * n / Math.Max(1, graph.NodeCount))));
                }

                HeapIndex.Entry e = block[i];
                GcGeneration g = e.Generation;
                if (g is not (GcGeneration.Gen1 or GcGeneration.Gen2 or GcGeneration.LOH or GcGeneration.POH))
                {
                    continue;
                }

                ReadOnlySpan<int> successors = graph.Successors(n);
                if (successors.IsEmpty)
                {
                    continue;
                }

                Group? toGen0 = null;
                Group? toGen1 = null;
                foreach (int t in successors)
                {
                    var tg = (GcGeneration)generations[t];
                    Group? group;
                    if (tg == GcGeneration.Gen0)
                    {
                        group = toGen0 ??= Get(groups, e.TypeId, g, GcGeneration.Gen0);
                    }
                    else if (tg == GcGeneration.Gen1 && g != GcGeneration.Gen1)
                    {
                        group = toGen1 ??= Get(groups, e.TypeId, g, GcGeneration.Gen1);
                    }
                    else
                    {
                        continue;
                    }

                    group.Count++;
                    HeapIndex.Entry target = index.EntryAt(t);
                    group.TargetBytes += index.SizeOf(target);
                    if (group.Samples.Count < SamplesPerGroup)
                    {
                        group.Samples.Add((e.Address, target.Address));
                    }
                }

                if (toGen0 is not null)
                {
                    toGen0.Sources++;
                }

                if (toGen1 is not null)
                {
                    toGen1.Sources++;
                }
            }
        }

        ClrHeap heap = session.Heap;
        return groups
            .Select(kv => new GcCrossGenerationStat
            {
                SourceType = index.Types[kv.Key.Type].Name,
                SourceMethodTable = index.Types[kv.Key.Type].MethodTable,
                Field = FieldsOf(heap, kv.Value.Samples),
                SourceGeneration = kv.Key.Source,
                TargetGeneration = kv.Key.Target,
                Count = kv.Value.Count,
                SourceObjects = kv.Value.Sources,
                TargetBytes = kv.Value.TargetBytes,
                DumpPath = session.Path,
            })
            .OrderByDescending(s => s.Count)
            .ThenBy(s => s.SourceType, StringComparer.Ordinal)
            .ThenBy(s => s.SourceGeneration)
            .ThenBy(s => s.TargetGeneration)
            .ToList();
    }

    private static Group Get(Dictionary<(int, GcGeneration, GcGeneration), Group> groups, int type, GcGeneration source, GcGeneration target)
    {
        if (!groups.TryGetValue((type, source, target), out Group? group))
        {
            group = new Group();
            groups.Add((type, source, target), group);
        }

        return group;
    }

    /// <summary>The distinct fields through which the sampled sources hold their young targets ("[]" for array elements).</summary>
    private static string? FieldsOf(ClrHeap heap, List<(ulong Source, ulong Target)> samples)
    {
        var names = new List<string>();
        foreach (var (source, target) in samples)
        {
            ClrObject obj = heap.GetObject(source);
            foreach (ClrReference r in obj.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: false))
            {
                if (r.Object.Address != target)
                {
                    continue;
                }

                string name = r.IsArrayElement ? "[]" : r.IsField && r.Field is not null ? r.Field.Name ?? "?" : "?";
                if (!names.Contains(name))
                {
                    names.Add(name);
                }

                break;
            }
        }

        return names.Count == 0 ? null : string.Join(", ", names);
    }
}
