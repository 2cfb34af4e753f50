namespace GcTriage.Core;

/// <summary>
/// Leak suspects over a dominator tree, after Eclipse MAT's Leak Suspects report. An object suspect is a top dominator that
/// retains at least <c>minShare</c> of the reachable heap; from it the descent goes into the largest dominated child as long as
/// that child keeps at least <see cref="AccumulationRatio"/> of its parent's retained bytes, and stops at the accumulation
/// point. Nothing a suspect retains is a suspect of its own (a Dictionary's buckets beside its entries are part of it): since an
/// object retains no more than its dominator, the objects that pass the share and are not inside another's retained set are
/// exactly the top dominators that pass it. A type group is many top dominators of one type (not already object suspects) that
/// together retain the share.
/// </summary>
public static class LeakSuspectFinder
{
    public const double DefaultMinShare = 0.10;

    /// <summary>The descent continues while the largest child keeps at least this share of its parent's retained bytes.</summary>
    public const double AccumulationRatio = 0.7;

    /// <summary>
    /// Dominated steps the descent takes at most: a long chain (a linked list) keeps 70% at every step, and has no single point
    /// where its bytes pile up, so past this depth the suspect has no accumulation point (as in MAT).
    /// </summary>
    public const int MaxDescent = 1000;

    /// <param name="typeOf">The type key of a node (the caller's: a type handle, a method table).</param>
    /// <param name="minShare">The least share of the reachable heap a suspect retains, above 0 and at most 1.</param>
    public static IReadOnlyList<LeakSuspect> Find(DominatorTree tree, Func<int, int> typeOf, double minShare = DefaultMinShare,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(typeOf);
        if (!(minShare > 0 && minShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minShare), minShare, "The share is above 0 and at most 1.");
        }

        var suspects = new List<LeakSuspect>();
        long total = tree.ReachableBytes;
        if (total == 0)
        {
            return suspects;
        }

        double threshold = minShare * total;
        DominatedNodes dominated = tree.GroupDominated(cancellationToken);
        int[] top = dominated.Sorted(DominatorTree.VirtualRoot);
        var objectSuspects = new HashSet<int>();
        foreach (int suspect in top)
        {
            if (tree.RetainedBytes(suspect) < threshold)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            objectSuspects.Add(suspect);
            List<int> path = Descend(tree, dominated, suspect);
            suspects.Add(new LeakSuspect(LeakSuspectKind.Object, suspect, typeOf(suspect), 1, tree.RetainedBytes(suspect),
                tree.RetainedCount(suspect), (double)tree.RetainedBytes(suspect) / total, path.Count > MaxDescent ? -1 : path[^1], path));
        }

        suspects.AddRange(FindTypeGroups(tree, top, objectSuspects, typeOf, threshold, total));
        suspects.Sort((a, b) => b.RetainedBytes.CompareTo(a.RetainedBytes));
        return suspects;
    }

    /// <summary>
    /// The chain from <paramref name="suspect"/> to its accumulation point (longer than <see cref="MaxDescent"/> when it has none).
    /// </summary>
    private static List<int> Descend(DominatorTree tree, DominatedNodes dominated, int suspect)
    {
        var path = new List<int> { suspect };
        int current = suspect;
        while (true)
        {
            int largest = Largest(tree, dominated.Of(current));
            if (largest < 0 || tree.RetainedBytes(largest) < AccumulationRatio * tree.RetainedBytes(current))
            {
                return path;
            }

            current = largest;
            path.Add(current);
            if (path.Count > MaxDescent)
            {
                return path;
            }
        }
    }

    /// <summary>The child with the most retained bytes, the lowest node on a tie (the first of a sort largest first); -1 for none.</summary>
    private static int Largest(DominatorTree tree, ReadOnlySpan<int> children)
    {
        int largest = -1;
        long bytes = -1;
        foreach (int child in children)
        {
            long b = tree.RetainedBytes(child);
            if (b > bytes)
            {
                largest = child;
                bytes = b;
            }
        }

        return largest;
    }

    private static IEnumerable<LeakSuspect> FindTypeGroups(DominatorTree tree, int[] top, HashSet<int> objectSuspects,
        Func<int, int> typeOf, double threshold, long total)
    {
        var groups = new Dictionary<int, (int Largest, int Count, long Bytes, long Objects)>();
        foreach (int node in top)
        {
            if (objectSuspects.Contains(node))
            {
                continue;
            }

            int type = typeOf(node);
            groups.TryGetValue(type, out var group);
            groups[type] = group.Count == 0
                ? (node, 1, tree.RetainedBytes(node), tree.RetainedCount(node))
                : (group.Largest, group.Count + 1, group.Bytes + tree.RetainedBytes(node), group.Objects + tree.RetainedCount(node));
        }

        foreach ((int type, var group) in groups)
        {
            if (group.Count >= 2 && group.Bytes >= threshold)
            {
                yield return new LeakSuspect(LeakSuspectKind.TypeGroup, group.Largest, type, group.Count, group.Bytes, group.Objects,
                    (double)group.Bytes / total, -1, []);
            }
        }
    }
}
