namespace GcTriage.Core;

/// <summary>
/// Retained bytes of collections, read from the session's dominator tree: the collection's own bytes and those of every object
/// reachable from the roots only through it. Exact (cycles and shared objects included) and without a budget; a collection no
/// root reaches is garbage and retains nothing (0).
/// </summary>
internal static class RetainedSizer
{
    public static List<GcCollectionInfo> Fill(DumpSession session, HeapIndex index, List<GcCollectionInfo> rows,
        CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        DominatorTree tree = session.GetDominatorTree(cancellationToken, progress);
        var result = new List<GcCollectionInfo>(rows.Count);
        foreach (GcCollectionInfo row in rows)
        {
            if (row.RetainedBytes is not null)
            {
                result.Add(row);
                continue;
            }

            long node = index.IndexOf(row.Address);
            long retained = node >= 0 ? tree.RetainedBytes((int)node) : 0;
            result.Add(CollectionInspector.With(row, row.Live, truncated: false, retained));
        }

        return result;
    }
}
