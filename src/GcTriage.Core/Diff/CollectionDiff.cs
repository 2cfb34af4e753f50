using System.Text.RegularExpressions;

namespace GcTriage.Core;

/// <summary>
/// Which collections grew between two dumps: the largest collections of each dump, each keyed by the field path that holds it
/// (its shortest root path: root name, then field names, array indices dropped), matched across the dumps by that key.
/// </summary>
public static partial class CollectionDiff
{
    /// <summary>Collections of both dumps matched by holder; those that grew (or appeared) first, by bytes.</summary>
    public static IReadOnlyList<GcCollectionDelta> Compare(DumpSession reference, DumpSession difference, int top, GraphBudget budget,
        CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        Dictionary<string, (GcCollectionInfo Info, string HeldBy)> before = Largest(reference, top, budget, cancellationToken, progress);
        Dictionary<string, (GcCollectionInfo Info, string HeldBy)> after = Largest(difference, top, budget, cancellationToken, progress);
        var result = new List<GcCollectionDelta>();
        foreach (string key in before.Keys.Union(after.Keys))
        {
            before.TryGetValue(key, out var b);
            after.TryGetValue(key, out var a);
            var any = a.Info ?? b.Info;
            result.Add(new GcCollectionDelta
            {
                HeldBy = a.HeldBy ?? b.HeldBy,
                TypeName = any.TypeName,
                CountBefore = b.Info?.Count ?? 0,
                CountAfter = a.Info?.Count ?? 0,
                BytesBefore = b.Info?.ShallowBytes ?? 0,
                BytesAfter = a.Info?.ShallowBytes ?? 0,
                AddressBefore = b.Info?.Address,
                AddressAfter = a.Info?.Address,
                ReferencePath = reference.Path,
                DifferencePath = difference.Path,
            });
        }

        result.Sort(static (x, y) => y.BytesDelta != x.BytesDelta ? y.BytesDelta.CompareTo(x.BytesDelta) : y.CountDelta.CompareTo(x.CountDelta));
        return result;
    }

    /// <summary>The key a collection is matched by: "root.field.field" and its type.</summary>
    public static string HolderOf(GcRootPath path)
    {
        var parts = new List<string> { path.RootName };
        foreach (GcRootStep step in path.Chain.Skip(1))
        {
            parts.Add(ArrayIndex().Replace(step.FieldName ?? "?", "[]"));
        }

        return string.Join(".", parts).Replace(".[]", "[]", StringComparison.Ordinal);
    }

    /// <summary>Under a lease of the session: the root searches read ClrMD, which Close-GcDump must not release under them.</summary>
    private static Dictionary<string, (GcCollectionInfo, string)> Largest(DumpSession session, int top, GraphBudget budget, CancellationToken cancellationToken, IProgress<GcProgress>? progress) =>
        session.Read(cancellationToken, ct => LargestLeased(session, top, budget, ct, progress));

    private static Dictionary<string, (GcCollectionInfo, string)> LargestLeased(DumpSession session, int top, GraphBudget budget, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        var map = new Dictionary<string, (GcCollectionInfo, string)>(StringComparer.Ordinal);
        IReadOnlyList<GcCollectionInfo> all = CollectionInspector.GetCollections(session, new CollectionQuery(), cancellationToken, progress);
        foreach (GcCollectionInfo info in all.Take(top))
        {
            RootSearchResult roots = RootFinder.FindPaths(session, info.Address, new RootQuery { MaxPaths = 1, Budget = budget }, cancellationToken, progress);
            if (roots.Paths.Count == 0)
            {
                continue; // dead or beyond the budget: not matchable by holder
            }

            string holder = HolderOf(roots.Paths[0]);
            string key = holder + "|" + info.TypeName;
            map.TryAdd(key, (info, holder));
        }

        return map;
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex ArrayIndex();
}
