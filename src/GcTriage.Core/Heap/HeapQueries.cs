
namespace GcTriage.Core;

/// <summary>Filters for heap statistics and object queries.</summary>
public sealed class HeapQuery
{
    /// <summary>Type name patterns with PowerShell-style wildcards (* ? [ab]); any match selects the type. Empty: all types.</summary>
    public IReadOnlyList<string> TypeName { get; init; } = Array.Empty<string>();
    /// <summary>Only objects in these generations. Empty: all.</summary>
    public IReadOnlyList<GcGeneration> Generation { get; init; } = Array.Empty<GcGeneration>();
    /// <summary>Only objects reachable from roots.</summary>
    public bool Live { get; init; }
    public long MinSize { get; init; }
    public long MaxSize { get; init; } = long.MaxValue;
    /// <summary>Object listings only: whether the heap's free blocks ("Free", space between objects) are listed. Statistics always count them.</summary>
    public bool IncludeFree { get; init; } = true;
    public GraphBudget Budget { get; init; } = GraphBudget.Default;
}

/// <summary>Heap statistics by type and object listings, all answered from the session's heap index.</summary>
public static class HeapQueries
{
    /// <summary>Counts and bytes by type, with bytes per generation, sorted by TotalSize descending.</summary>
    public static IReadOnlyList<GcTypeStat> GetTypeStats(DumpSession session, HeapQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        LiveSet? live = query.Live ? session.GetLiveSet(query.Budget, cancellationToken, progress) : null;
        bool[] selected = SelectTypes(index, query.TypeName);
        int generationMask = GenerationMask(query.Generation);

        int typeCount = index.Types.Count;
        var counts = new long[typeCount];
        var sizes = new long[typeCount * 6];
        long minSize = query.MinSize;
        long maxSize = query.MaxSize;
        index.ForEachChunk((baseIndex, entries) =>
        {
            for (int k = 0; k < entries.Length; k++)
            {
                ref readonly HeapIndex.Entry e = ref entries[k];
                int t = e.TypeId;
                int g = (int)e.Generation;
                if (!selected[t] || (generationMask & (1 << g)) == 0 || (live is not null && !live.IsLive(baseIndex + k)))
                {
                    continue;
                }

                long size = index.SizeOf(e);
                if (size < minSize || size > maxSize)
                {
                    continue;
                }

                counts[t]++;
                if (g < 6)
                {
                    sizes[t * 6 + g] += size;
                }
            }
        }, cancellationToken);

        var result = new List<GcTypeStat>();
        for (int t = 0; t < typeCount; t++)
        {
            if (counts[t] == 0)
            {
                continue;
            }

            HeapType type = index.Types[t];
            var stat = new GcTypeStat
            {
                TypeName = type.Name,
                MethodTable = type.MethodTable,
                Count = counts[t],
                Gen0Size = sizes[t * 6 + 0],
                Gen1Size = sizes[t * 6 + 1],
                Gen2Size = sizes[t * 6 + 2],
                LohSize = sizes[t * 6 + 3],
                PohSize = sizes[t * 6 + 4],
                FrozenSize = sizes[t * 6 + 5],
                Live = query.Live,
                Truncated = live?.Truncated ?? false,
                DumpDamaged = index.IsDamaged,
                DumpPath = session.Path,
            };
            stat.TotalSize = stat.Gen0Size + stat.Gen1Size + stat.Gen2Size + stat.LohSize + stat.PohSize + stat.FrozenSize;
            result.Add(stat);
        }

        result.Sort((a, b) => b.TotalSize != a.TotalSize ? b.TotalSize.CompareTo(a.TotalSize) : string.CompareOrdinal(a.TypeName, b.TypeName));
        return result;
    }

    /// <summary>Objects matching the query, in address order, streamed.</summary>
    public static IEnumerable<GcObjectInfo> GetObjects(DumpSession session, HeapQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        LiveSet? live = query.Live ? session.GetLiveSet(query.Budget, cancellationToken, progress) : null;
        bool[] selected = SelectTypes(index, query.TypeName);
        if (!query.IncludeFree)
        {
            for (int t = 0; t < selected.Length; t++)
            {
                selected[t] &= !index.Types[t].IsFree;
            }
        }

        int generationMask = GenerationMask(query.Generation);
        long n = 0;
        foreach (var (i, e) in index.Enumerate())
        {
            if ((++n & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (!selected[e.TypeId] || (generationMask & (1 << (int)e.Generation)) == 0 || (live is not null && !live.IsLive(i)))
            {
                continue;
            }

            long size = index.SizeOf(e);
            if (size < query.MinSize || size > query.MaxSize)
            {
                continue;
            }

            yield return index.ToObjectInfo(i, session.Path);
        }
    }

    /// <summary>The object at (or, with <paramref name="interior"/>, containing) an address.</summary>
    public static GcObjectInfo GetObject(DumpSession session, ulong address, bool interior = false, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        long i = interior ? index.IndexContaining(address) : IndexOrThrow(index, address);
        if (i < 0)
        {
            throw new InvalidAddressException(address, "no object starts there");
        }

        return index.ToObjectInfo(i, session.Path);
    }

    /// <summary>The index position of the object starting at <paramref name="address"/>; InvalidAddressException when none does.</summary>
    internal static long IndexOrThrow(HeapIndex index, ulong address)
    {
        long i = index.IndexOf(address);
        if (i < 0)
        {
            long containing = index.IndexContaining(address);
            throw new InvalidAddressException(address, containing >= 0
                ? $"it points inside {index.ToObjectInfo(containing, null)}"
                : "no object starts there");
        }

        return i;
    }

    internal static bool[] SelectTypes(HeapIndex index, IReadOnlyList<string> patterns)
    {
        var selected = new bool[index.Types.Count];
        if (patterns.Count == 0)
        {
            Array.Fill(selected, true);
            return selected;
        }

        var wildcards = patterns.Select(p => new Wildcard(p)).ToArray();
        for (int t = 0; t < selected.Length; t++)
        {
            string name = index.Types[t].Name;
            foreach (var w in wildcards)
            {
                if (w.IsMatch(name))
                {
                    selected[t] = true;
                    break;
                }
            }
        }

        return selected;
    }

    /// <summary>One bit per generation asked for (bit (int)generation); every bit when none is named.</summary>
    internal static int GenerationMask(IReadOnlyList<GcGeneration> generations) =>
        generations.Count == 0 ? ~0 : generations.Aggregate(0, (m, g) => m | (1 << (int)g));
}
