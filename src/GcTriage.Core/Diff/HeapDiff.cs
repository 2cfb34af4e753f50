namespace GcTriage.Core;

/// <summary>
/// Heap snapshot differences by type name (PerfView heap diff, pprof -base). Rows are matched by type name, not by method
/// table or address, since both change between processes; rows of one name on one side are added together first.
/// </summary>
public static class HeapDiff
{
    /// <summary>
    /// The difference from <paramref name="reference"/> (before) to <paramref name="difference"/> (after), sorted by SizeDelta
    /// descending, then CountDelta descending, then TypeName. A type on one side only appears with zeros on the other.
    /// </summary>
    public static IReadOnlyList<GcTypeDelta> Compare(IEnumerable<GcTypeStat> reference, IEnumerable<GcTypeStat> difference,
        IReadOnlyList<string>? typeName = null, string? referencePath = null, string? differencePath = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(difference);
        Wildcard[] wildcards = Patterns(typeName);
        var before = Sum(reference, wildcards, out bool liveBefore, out bool truncatedBefore);
        var after = Sum(difference, wildcards, out bool liveAfter, out bool truncatedAfter);

        var result = new List<GcTypeDelta>(Math.Max(before.Count, after.Count));
        foreach (string name in before.Keys.Union(after.Keys, StringComparer.Ordinal))
        {
            before.TryGetValue(name, out var b);
            after.TryGetValue(name, out var a);
            result.Add(new GcTypeDelta
            {
                TypeName = name,
                CountBefore = b.Count,
                SizeBefore = b.Size,
                CountAfter = a.Count,
                SizeAfter = a.Size,
                Live = liveBefore && liveAfter,
                Truncated = truncatedBefore || truncatedAfter,
                ReferencePath = referencePath,
                DifferencePath = differencePath,
            });
        }

        result.Sort(static (x, y) => ByGrowth(x.SizeDelta, x.CountDelta, x.TypeName, y.SizeDelta, y.CountDelta, y.TypeName));
        return result;
    }

    /// <summary>The order of delta rows: bytes grown descending, then count grown descending, then type name.</summary>
    internal static int ByGrowth(long bytesX, long countX, string nameX, long bytesY, long countY, string nameY)
    {
        int c = bytesY.CompareTo(bytesX);
        if (c == 0)
        {
            c = countY.CompareTo(countX);
        }

        return c != 0 ? c : string.CompareOrdinal(nameX, nameY);
    }

    /// <summary>The -TypeName patterns; none selects every type.</summary>
    internal static Wildcard[] Patterns(IReadOnlyList<string>? typeName) =>
        (typeName ?? Array.Empty<string>()).Select(p => new Wildcard(p)).ToArray();

    /// <summary>Whether a type name is selected by the patterns (all are when there are none).</summary>
    internal static bool Selected(Wildcard[] wildcards, string typeName) =>
        wildcards.Length == 0 || wildcards.Any(w => w.IsMatch(typeName));

    /// <summary>Compares two open dumps; each session walks its heap once (or reuses the index it has).</summary>
    public static IReadOnlyList<GcTypeDelta> Compare(DumpSession reference, DumpSession difference, HeapQuery query,
        CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(difference);
        ArgumentNullException.ThrowIfNull(query);
        IReadOnlyList<GcTypeStat> before = HeapQueries.GetTypeStats(reference, query, cancellationToken, progress);
        IReadOnlyList<GcTypeStat> after = ReferenceEquals(reference, difference)
            ? before
            : HeapQueries.GetTypeStats(difference, query, cancellationToken, progress);
        return Compare(before, after, null, reference.Path, difference.Path);
    }

    private static Dictionary<string, (long Count, long Size)> Sum(IEnumerable<GcTypeStat> stats, Wildcard[] wildcards, out bool allLive, out bool truncated)
    {
        var sums = new Dictionary<string, (long Count, long Size)>(StringComparer.Ordinal);
        allLive = true;
        truncated = false;
        bool any = false;
        foreach (GcTypeStat s in stats)
        {
            if (s is null)
            {
                continue;
            }

            if (!Selected(wildcards, s.TypeName))
            {
                continue;
            }

            any = true;
            allLive &= s.Live;
            truncated |= s.Truncated;
            sums.TryGetValue(s.TypeName, out var sum);
            sums[s.TypeName] = (checked(sum.Count + s.Count), checked(sum.Size + s.TotalSize));
        }

        allLive &= any;
        return sums;
    }
}
