using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>How far a root search may go.</summary>
public sealed class RootQuery
{
    /// <summary>Paths to return at most (each through a different last referrer or root), shortest first.</summary>
    public int MaxPaths { get; init; } = RootFinder.DefaultMaxPaths;
    public GraphBudget Budget { get; init; } = GraphBudget.Default;
}

/// <summary>The outcome of one root search.</summary>
public sealed class RootSearchResult
{
    public ulong Address { get; init; }
    public string TypeName { get; init; } = "";
    public IReadOnlyList<GcRootPath> Paths { get; init; } = Array.Empty<GcRootPath>();
    /// <summary>The budget ran out before the search was complete: more paths may exist, and no path found does not mean unreachable.</summary>
    public bool Truncated { get; init; }
    /// <summary>Objects the search visited.</summary>
    public long Visited { get; init; }
    /// <summary>True when the search was complete and found no path: the object is garbage the next GC may collect.</summary>
    public bool Unreachable => Paths.Count == 0 && !Truncated;
}

/// <summary>
/// Paths from GC roots to an object: a breadth-first search over the session's reference graph from every root at once (so the first
/// path found is a shortest one). Static fields are roots of their own, named Namespace.Type.Field, ahead of the handle, stack and
/// finalizer roots (the session's <see cref="RootSet"/>). Field names on a path come from ClrMD, for the few objects on it.
/// </summary>
public static class RootFinder
{
    public const int DefaultMaxPaths = 3;

    public static RootSearchResult FindPaths(DumpSession session, ulong address, RootQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        if (query.MaxPaths < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(query), "MaxPaths must be at least 1.");
        }

        HeapIndex index = session.GetIndex(cancellationToken, progress);
        int target = (int)HeapQueries.IndexOrThrow(index, address);
        progress?.Report(new GcProgress("Finding roots", "roots and references", -1));
        ReferenceGraph graph = session.GetGraph(cancellationToken, progress);
        RootSet roots = session.GetRootSet(cancellationToken, progress);
        IReadOnlyList<RootEntry> entries = roots.Entries;
        string targetType = index.Types[index.EntryAt(target).TypeId].Name;

        // The runtime keeps statics in objects of its own (an object[] behind a strong handle on .NET 8+): a path through the
        // object that stores a static field holding the target is the same root as that static, already a path of its own.
        var referrersSeen = new HashSet<int>();
        foreach (RootEntry root in entries)
        {
            if (root.Kind == RootKind.StaticField && root.Node == target)
            {
                long holder = index.IndexContaining(root.Address);
                if (holder >= 0)
                {
                    referrersSeen.Add((int)holder);
                }
            }
        }

        var direct = new List<int>();
        var sources = new List<(int Node, int Tag)>();
        for (int s = 0; s < entries.Count && direct.Count < query.MaxPaths; s++)
        {
            int node = entries[s].Node;
            if (node == target)
            {
                direct.Add(s);
            }
            else if (node >= 0)
            {
                sources.Add((node, s));
            }
        }

        var referrers = new List<int>();
        var meter = new WorkMeter(query.Budget, cancellationToken, progress, "Finding roots", graph.NodeCount);
        BreadthFirstResult? search = null;
        if (direct.Count < query.MaxPaths)
        {
            int wanted = query.MaxPaths - direct.Count;
            search = GraphTraversal.BreadthFirst(graph, CollectionsMarshal.AsSpan(sources), meter, (from, to) =>
            {
                if (to != target)
                {
                    return EdgeAction.Follow;
                }

                if (referrersSeen.Add(from))
                {
                    referrers.Add(from);
                }

                return referrers.Count >= wanted ? EdgeAction.Stop : EdgeAction.Skip;
            });
        }

        // A search that stopped because it had MaxPaths paths is complete for what was asked; one that ran out of budget is not.
        bool truncated = search?.Truncated == true;
        var paths = new List<GcRootPath>();
        foreach (int s in direct)
        {
            paths.Add(BuildPath(session.Runtime, index, search, entries[s], -1, target, address, targetType, truncated, session.Path));
        }

        foreach (int referrer in referrers)
        {
            paths.Add(BuildPath(session.Runtime, index, search, entries[search!.SourceTagOf(referrer)], referrer, target, address, targetType, truncated, session.Path));
        }

        return new RootSearchResult { Address = address, TypeName = targetType, Paths = paths, Truncated = truncated, Visited = search?.Visited ?? 0 };
    }

    private static GcRootPath BuildPath(ClrRuntime runtime, HeapIndex index, BreadthFirstResult? search, RootEntry root, int referrer, int target, ulong address,
        string targetType, bool truncated, string? dumpPath)
    {
        var chainIndices = new List<int>();
        for (int i = referrer; i >= 0; i = search!.ParentOf(i))
        {
            chainIndices.Add(i);
        }

        chainIndices.Reverse();
        chainIndices.Add(target);
        var steps = new List<GcRootStep>(chainIndices.Count);
        ulong previous = 0;
        foreach (int i in chainIndices)
        {
            HeapIndex.Entry e = index.EntryAt(i);
            steps.Add(new GcRootStep
            {
                TypeName = index.Types[e.TypeId].Name,
                FieldName = previous == 0 ? null : FieldName(runtime, previous, e.Address),
                Address = e.Address,
            });
            previous = e.Address;
        }

        return new GcRootPath
        {
            Address = address,
            TypeName = targetType,
            RootKind = root.Kind.ToString(),
            RootName = root.Name,
            RootAddress = root.Address,
            Chain = steps,
            Depth = steps.Count - 1,
            Truncated = truncated,
            DumpPath = dumpPath,
        };
    }

    /// <summary>The field of <paramref name="parent"/> (or its array element [i]) that refers to <paramref name="child"/>.</summary>
    internal static string FieldName(ClrRuntime runtime, ulong parent, ulong child)
    {
        ClrObject obj = runtime.Heap.GetObject(parent);
        if (obj.Type is null)
        {
            return "?";
        }

        int pointerSize = runtime.DataTarget.DataReader.PointerSize;
        foreach (ClrReference r in obj.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: true))
        {
            if (r.Object.Address != child)
            {
                continue;
            }

            if (r.IsDependentHandle)
            {
                return "(dependent handle)";
            }

            if (r.IsArrayElement)
            {
                int componentSize = Math.Max(1, obj.Type.ComponentSize);
                ulong data = parent + (ulong)(2 * pointerSize);
                foreach (long candidate in new long[] { (r.Offset - pointerSize) / componentSize, (r.Offset - 2 * pointerSize) / componentSize, r.Offset / componentSize })
                {
                    if (candidate >= 0 && runtime.DataTarget.DataReader.ReadPointer(data + (ulong)(candidate * componentSize)) == child)
                    {
                        return $"[{candidate}]";
                    }
                }

                return "[?]";
            }

            if (r.Field is not null)
            {
                string name = r.Field.Name ?? "?";
                for (ClrReference? inner = r.InnerField; inner is { Field: not null } x; inner = x.InnerField)
                {
                    name += "." + x.Field.Name;
                }

                return name;
            }
        }

        if (obj.Type.IsCollectible && runtime.DataTarget.DataReader.ReadPointer(obj.Type.LoaderAllocatorHandle) == child)
        {
            return "(loader allocator)";
        }

        return "?";
    }
}
