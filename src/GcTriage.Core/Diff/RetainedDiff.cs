namespace GcTriage.Core;

/// <summary>
/// Retained-size differences by type name between two snapshots: the Get-GcRetained -GroupBy Type rows (each type's top-most
/// instances and what they retain) of one against the other, matched by type name like HeapDiff; rows of one name on one side are
/// added together first.
/// </summary>
public static class RetainedDiff
{
    /// <summary>
    /// The difference from <paramref name="reference"/> (before) to <paramref name="difference"/> (after), sorted by
    /// RetainedBytesDelta descending, then CountDelta descending, then TypeName.
    /// </summary>
    public static IReadOnlyList<GcRetainedTypeDelta> Compare(IEnumerable<GcRetainedTypeStat> reference, IEnumerable<GcRetainedTypeStat> difference,
        IReadOnlyList<string>? typeName = null, string? referencePath = null, string? differencePath = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(difference);
        Wildcard[] wildcards = HeapDiff.Patterns(typeName);
        var before = Sum(reference, wildcards);
        var after = Sum(difference, wildcards);

        var result = new List<GcRetainedTypeDelta>(Math.Max(before.Count, after.Count));
        foreach (string name in before.Keys.Union(after.Keys, StringComparer.Ordinal))
        {
            before.TryGetValue(name, out Totals b);
            after.TryGetValue(name, out Totals a);
            result.Add(new GcRetainedTypeDelta
            {
                TypeName = name,
                CountBefore = b.Count,
                CountAfter = a.Count,
                SizeBefore = b.Size,
                SizeAfter = a.Size,
                RetainedBytesBefore = b.RetainedBytes,
                RetainedBytesAfter = a.RetainedBytes,
                RetainedCountBefore = b.RetainedCount,
                RetainedCountAfter = a.RetainedCount,
                ReferencePath = referencePath,
                DifferencePath = differencePath,
            });
        }

        result.Sort(static (x, y) => HeapDiff.ByGrowth(x.RetainedBytesDelta, x.CountDelta, x.TypeName, y.RetainedBytesDelta, y.CountDelta, y.TypeName));
        return result;
    }

    /// <summary>Compares two open dumps; each session builds (or reuses) its dominator tree.</summary>
    public static IReadOnlyList<GcRetainedTypeDelta> Compare(DumpSession reference, DumpSession difference, IReadOnlyList<string> typeName,
        CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(difference);
        ArgumentNullException.ThrowIfNull(typeName);
        IReadOnlyList<GcRetainedTypeStat> before = RetainedQueries.GetRetainedByType(reference, typeName, cancellationToken, progress);
        IReadOnlyList<GcRetainedTypeStat> after = ReferenceEquals(reference, difference)
            ? before
            : RetainedQueries.GetRetainedByType(difference, typeName, cancellationToken, progress);
        return Compare(before, after, null, reference.Path, difference.Path);
    }

    private static Dictionary<string, Totals> Sum(IEnumerable<GcRetainedTypeStat> stats, Wildcard[] wildcards)
    {
        var sums = new Dictionary<string, Totals>(StringComparer.Ordinal);
        foreach (GcRetainedTypeStat s in stats)
        {
            if (s is null || !HeapDiff.Selected(wildcards, s.TypeName))
            {
                continue;
            }

            sums.TryGetValue(s.TypeName, out Totals sum);
            sums[s.TypeName] = new Totals(checked(sum.Count + s.Count), checked(sum.Size + s.Size),
                checked(sum.RetainedBytes + s.RetainedBytes), checked(sum.RetainedCount + s.RetainedCount));
        }

        return sums;
    }

    private readonly record struct Totals(long Count, long Size, long RetainedBytes, long RetainedCount);
}
