using System.Globalization;

namespace GcTriage.Core;

/// <summary>
/// Retained sizes, the dominator tree and leak suspects of a dump session, as the public model: all answered from the session's
/// one dominator tree (<see cref="DumpSession.GetDominatorTree"/>), built on the first question and kept.
/// </summary>
public static class RetainedQueries
{
    /// <summary>Dominated steps at most in a <see cref="GcLeakSuspect.RootPath"/> before the middle is elided.</summary>
    private const int PathEnds = 4;

    /// <summary>The <paramref name="top"/> reachable objects that retain the most, largest first; only types matching a pattern when any is given.</summary>
    public static IReadOnlyList<GcRetainedInfo> GetTopRetained(DumpSession session, IReadOnlyList<string> typeNames, int top,
        CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        DominatorTree tree = session.GetDominatorTree(cancellationToken, progress);
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        bool[] selected = HeapQueries.SelectTypes(index, typeNames);

        // The smallest of the best so far sits on top of the queue.
        var best = new PriorityQueue<int, (long Bytes, int NegatedNode)>(top + 1);
        index.ForEach((i, e) =>
        {
            int node = (int)i;
            if (!selected[e.TypeId] || !tree.IsReachable(node))
            {
                return;
            }

            var key = (tree.RetainedBytes(node), -node);
            if (best.Count < top)
            {
                best.Enqueue(node, key);
            }
            else if (best.TryPeek(out _, out var smallest) && key.CompareTo(smallest) > 0)
            {
                best.DequeueEnqueue(node, key);
            }
        }, cancellationToken);

        var nodes = new int[best.Count];
        for (int k = nodes.Length - 1; k >= 0; k--)
        {
            nodes[k] = best.Dequeue();
        }

        var describer = new Describer(session, tree, index, cancellationToken, progress);
        return nodes.Select(describer.Describe).ToList();
    }

    /// <summary>What the object at <paramref name="address"/> retains.</summary>
    public static GcRetainedInfo GetRetained(DumpSession session, ulong address, CancellationToken cancellationToken = default,
        IProgress<GcProgress>? progress = null)
    {
        DominatorTree tree = session.GetDominatorTree(cancellationToken, progress);
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        int node = NodeOf(index, address);
        return new Describer(session, tree, index, cancellationToken, progress).Describe(node);
    }

    /// <summary>The objects <paramref name="address"/> dominates directly, largest retained first (at most <paramref name="top"/>, 0 for all).</summary>
    public static IReadOnlyList<GcRetainedInfo> GetDominated(DumpSession session, ulong address, int top,
        CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        DominatorTree tree = session.GetDominatorTree(cancellationToken, progress);
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        int node = NodeOf(index, address);
        IEnumerable<int> children = tree.Dominated(node);
        var describer = new Describer(session, tree, index, cancellationToken, progress);
        return (top > 0 ? children.Take(top) : children).Select(describer.Describe).ToList();
    }

    /// <summary>
    /// Retained bytes by type (MAT's top consumers): for each type, the sum over its instances that no instance of the same type
    /// dominates, so no byte is counted twice within a type. Largest first.
    /// </summary>
    public static IReadOnlyList<GcRetainedTypeStat> GetRetainedByType(DumpSession session, IReadOnlyList<string> typeNames,
        CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        DominatorTree tree = session.GetDominatorTree(cancellationToken, progress);
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        bool[] selected = HeapQueries.SelectTypes(index, typeNames);
        int[] typeOf = TypeIds(index, cancellationToken);
        int typeCount = index.Types.Count;
        var active = new int[typeCount];
        var count = new long[typeCount];
        var size = new long[typeCount];
        var retained = new long[typeCount];
        var objects = new long[typeCount];
        progress?.Report(new GcProgress("Retained sizes by type", "walking the dominator tree", -1));
        tree.Walk(node =>
        {
            int t = typeOf[node];
            if (active[t]++ == 0)
            {
                count[t]++;
                size[t] += index.SizeOf(index.EntryAt(node));
                retained[t] += tree.RetainedBytes(node);
                objects[t] += tree.RetainedCount(node);
            }
        }, node => active[typeOf[node]]--, cancellationToken);

        var result = new List<GcRetainedTypeStat>();
        for (int t = 0; t < typeCount; t++)
        {
            if (count[t] > 0 && selected[t])
            {
                result.Add(new GcRetainedTypeStat
                {
                    TypeName = index.Types[t].Name,
                    Count = count[t],
                    Size = size[t],
                    RetainedBytes = retained[t],
                    RetainedCount = objects[t],
                    ShareOfHeap = Share(retained[t], tree),
                    DumpPath = session.Path,
                });
            }
        }

        result.Sort((a, b) => b.RetainedBytes != a.RetainedBytes ? b.RetainedBytes.CompareTo(a.RetainedBytes) : string.CompareOrdinal(a.TypeName, b.TypeName));
        return result;
    }

    /// <summary>Leak suspects (objects and type groups retaining at least <paramref name="minShare"/> of the reachable heap), largest first.</summary>
    public static IReadOnlyList<GcLeakSuspect> GetLeakSuspects(DumpSession session, double minShare = LeakSuspectFinder.DefaultMinShare,
        CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        DominatorTree tree = session.GetDominatorTree(cancellationToken, progress);
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        IReadOnlyList<LeakSuspect> suspects = LeakSuspectFinder.Find(tree, node => index.EntryAt(node).TypeId, minShare, cancellationToken);
        var describer = new Describer(session, tree, index, cancellationToken, progress);
        return suspects.Select(describer.Describe).ToList();
    }

    private static int NodeOf(HeapIndex index, ulong address) => (int)HeapQueries.IndexOrThrow(index, address);

    private static int[] TypeIds(HeapIndex index, CancellationToken cancellationToken)
    {
        var types = new int[index.Count];
        index.ForEach((i, e) => types[i] = e.TypeId, cancellationToken);
        return types;
    }

    private static double Share(long bytes, DominatorTree tree) => tree.ReachableBytes == 0 ? 0 : (double)bytes / tree.ReachableBytes;

    /// <summary>Turns nodes and suspects into the public model, naming the root that holds each one's top dominator.</summary>
    private sealed class Describer
    {
        private readonly DumpSession _session;
        private readonly DominatorTree _tree;
        private readonly HeapIndex _index;
        private readonly Dictionary<int, RootEntry> _rootOf = new();

        public Describer(DumpSession session, DominatorTree tree, HeapIndex index, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
        {
            _session = session;
            _tree = tree;
            _index = index;
            foreach (RootEntry root in session.GetRootSet(cancellationToken, progress).Entries)
            {
                // Static fields come first in the root set, and name a root best.
                if (root.Node >= 0)
                {
                    _rootOf.TryAdd(root.Node, root);
                }
            }
        }

        public GcRetainedInfo Describe(int node)
        {
            HeapIndex.Entry entry = _index.EntryAt(node);
            int dominator = _tree.Dominator(node);
            RootEntry? root = RootOf(node);
            return new GcRetainedInfo
            {
                Address = entry.Address,
                TypeName = _index.Types[entry.TypeId].Name,
                Size = _index.SizeOf(entry),
                RetainedBytes = _tree.RetainedBytes(node),
                RetainedCount = _tree.RetainedCount(node),
                ShareOfHeap = Share(_tree.RetainedBytes(node), _tree),
                Generation = entry.Generation,
                DominatorAddress = dominator >= 0 ? _index.EntryAt(dominator).Address : 0,
                RootKind = root?.Kind.ToString(),
                RootName = root?.Name,
                DumpPath = _session.Path,
            };
        }

        public GcLeakSuspect Describe(LeakSuspect suspect)
        {
            HeapIndex.Entry entry = _index.EntryAt(suspect.Node);
            string typeName = _index.Types[suspect.TypeKey].Name;
            RootEntry? root = RootOf(suspect.Node);
            string share = suspect.ShareOfHeap.ToString("P1", CultureInfo.InvariantCulture);
            if (suspect.Kind == LeakSuspectKind.TypeGroup)
            {
                return new GcLeakSuspect
                {
                    Suspect = string.Create(CultureInfo.InvariantCulture, $"{suspect.InstanceCount:N0} instances of {typeName} retain {suspect.RetainedBytes:N0} bytes ({share} of the reachable heap) together; the largest is 0x{entry.Address:x}"),
                    Kind = GcLeakSuspectKind.TypeGroup,
                    TypeName = typeName,
                    Address = entry.Address,
                    InstanceCount = suspect.InstanceCount,
                    RetainedBytes = suspect.RetainedBytes,
                    RetainedCount = suspect.RetainedCount,
                    ShareOfHeap = suspect.ShareOfHeap,
                    RootKind = root?.Kind.ToString(),
                    RootName = root?.Name,
                    RootPath = PathText(root, _tree.DominatorPath(suspect.Node)),
                    DumpPath = _session.Path,
                };
            }

            int point = suspect.AccumulationPoint;
            HeapIndex.Entry? pointEntry = point >= 0 ? _index.EntryAt(point) : null;
            string? pointType = pointEntry is { } p ? _index.Types[p.TypeId].Name : null;
            string where = pointEntry is { } pe
                ? point == suspect.Node ? "; the bytes pile up in it" : string.Create(CultureInfo.InvariantCulture, $"; the bytes pile up in {pointType}@0x{pe.Address:x} ({_tree.RetainedBytes(point):N0} bytes)")
                : "; a chain of more than " + LeakSuspectFinder.MaxDescent.ToString(CultureInfo.InvariantCulture) + " dominated objects, with no single accumulation point";
            // The dominator chain from the top down to the suspect, then on to its accumulation point.
            int[] above = _tree.DominatorPath(suspect.Node);
            IEnumerable<int> chain = above.Concat(suspect.AccumulationPath.Skip(1));
            return new GcLeakSuspect
            {
                Suspect = string.Create(CultureInfo.InvariantCulture, $"{typeName}@0x{entry.Address:x} retains {suspect.RetainedBytes:N0} bytes ({share} of the reachable heap) in {suspect.RetainedCount:N0} objects{where}"),
                Kind = GcLeakSuspectKind.Object,
                TypeName = typeName,
                Address = entry.Address,
                InstanceCount = 1,
                RetainedBytes = suspect.RetainedBytes,
                RetainedCount = suspect.RetainedCount,
                ShareOfHeap = suspect.ShareOfHeap,
                AccumulationPointAddress = pointEntry?.Address,
                AccumulationPointType = pointType,
                AccumulationPointRetainedBytes = point >= 0 ? _tree.RetainedBytes(point) : null,
                RootKind = root?.Kind.ToString(),
                RootName = root?.Name,
                RootPath = PathText(root, chain.ToArray()),
                DumpPath = _session.Path,
            };
        }

        /// <summary>The root holding the top dominator above <paramref name="node"/>, when that top dominator is itself a root.</summary>
        private RootEntry? RootOf(int node)
        {
            int top = node;
            for (int up = _tree.Dominator(top); up >= 0; up = _tree.Dominator(top))
            {
                top = up;
            }

            return _tree.IsReachable(node) && _rootOf.TryGetValue(top, out RootEntry root) ? root : null;
        }

        private string PathText(RootEntry? root, int[] chain)
        {
            var parts = new List<string> { root is { } r ? $"[{r.Kind}] {r.Name}" : "[several roots]" };
            for (int k = 0; k < chain.Length; k++)
            {
                if (chain.Length > 2 * PathEnds && k == PathEnds)
                {
                    parts.Add(string.Create(CultureInfo.InvariantCulture, $"... {chain.Length - 2 * PathEnds:N0} more ..."));
                    k = chain.Length - PathEnds - 1;
                    continue;
                }

                HeapIndex.Entry e = _index.EntryAt(chain[k]);
                parts.Add($"{_index.Types[e.TypeId].Name}@0x{e.Address:x}");
            }

            return string.Join(" -> ", parts);
        }
    }
}
