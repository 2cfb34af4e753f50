using System.Diagnostics;
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
/// Paths from GC roots to an object: a breadth-first search over the reference graph from every root at once (so the first path found
/// is a shortest one), with the heap index as the visited set (8 bytes per object). Static fields are roots of their own, named
/// Namespace.Type.Field (found through each module's types with statics), ahead of the handle, stack and finalizer roots.
/// </summary>
public static class RootFinder
{
    public const int DefaultMaxPaths = 3;

    private readonly record struct Seed(string Kind, string Name, ulong RootAddress, ulong Object);

    public static RootSearchResult FindPaths(DumpSession session, ulong address, RootQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        if (query.MaxPaths < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(query), "MaxPaths must be at least 1.");
        }

        HeapIndex index = session.GetIndex(cancellationToken, progress);
        long target = index.IndexOf(address);
        if (target < 0)
        {
            long containing = index.IndexContaining(address);
            throw new InvalidAddressException(address, containing >= 0
                ? $"it points inside {index.ToObjectInfo(containing, null)}"
                : "no object starts there");
        }

        ClrRuntime runtime = session.Runtime;
        ClrHeap heap = runtime.Heap;
        string targetType = index.Types[index.EntryAt(target).TypeId].Name;
        var clock = Stopwatch.StartNew();
        progress?.Report(new GcProgress("Finding roots", "enumerating roots", -1));
        List<Seed> seeds = EnumerateSeeds(runtime, index, cancellationToken);

        // from[i]: 0 unvisited; > 0 reached from object from[i]-1; < 0 held directly by seed -from[i]-1.
        var from = new long[index.Count];
        var queue = new Queue<long>();
        var found = new List<(long Referrer, int Seed)>();
        var referrersSeen = new HashSet<long>();

        // The runtime keeps statics in objects of its own (an object[] behind a strong handle on .NET 8+): a path through the
        // object that stores a static field holding the target is the same root as that static, already a path of its own.
        foreach (Seed seed in seeds)
        {
            if (seed.Kind == "StaticField" && seed.Object == address)
            {
                long holder = index.IndexContaining(seed.RootAddress);
                if (holder >= 0)
                {
                    referrersSeen.Add(holder);
                }
            }
        }

        bool truncated = false;
        long visited = 0;

        for (int s = 0; s < seeds.Count && found.Count < query.MaxPaths; s++)
        {
            long i = index.IndexOf(seeds[s].Object);
            if (i < 0)
            {
                continue;
            }

            if (i == target)
            {
                found.Add((-1, s));
                continue;
            }

            if (from[i] == 0)
            {
                from[i] = -(s + 1);
                queue.Enqueue(i);
            }
        }

        while (queue.Count > 0 && found.Count < query.MaxPaths)
        {
            long i = queue.Dequeue();
            if (++visited > query.Budget.MaxNodes)
            {
                truncated = true;
                break;
            }

            if ((visited & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (query.Budget.Exceeded(visited, clock))
                {
                    truncated = true;
                    break;
                }

                if ((visited & 0x3FFFF) == 0)
                {
                    progress?.Report(new GcProgress("Finding roots", $"{visited:N0} objects searched", (int)Math.Min(99, 100 * visited / Math.Max(1, index.Count))));
                }
            }

            HeapIndex.Entry e = index.EntryAt(i);
            ClrType? type = index.Types[e.TypeId].ClrType;
            if (type is null || !(type.ContainsPointers || type.IsCollectible))
            {
                continue;
            }

            foreach (ulong child in heap.GetObject(e.Address, type).EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
            {
                long c = index.IndexOf(child);
                if (c < 0)
                {
                    continue;
                }

                if (c == target)
                {
                    if (referrersSeen.Add(i))
                    {
                        found.Add((i, SeedOf(from, i)));
                        if (found.Count >= query.MaxPaths)
                        {
                            break;
                        }
                    }

                    continue;
                }

                if (from[c] == 0)
                {
                    from[c] = i + 1;
                    queue.Enqueue(c);
                }
            }
        }

        // A search that stopped because it had MaxPaths paths is complete for what was asked; one that ran out of budget is not.
        var paths = new List<GcRootPath>();
        foreach (var (referrer, s) in found)
        {
            paths.Add(BuildPath(runtime, index, from, seeds[s], referrer, target, address, targetType, truncated, session.Path));
        }

        return new RootSearchResult { Address = address, TypeName = targetType, Paths = paths, Truncated = truncated, Visited = visited };
    }

    private static int SeedOf(long[] from, long i)
    {
        while (from[i] > 0)
        {
            i = from[i] - 1;
        }

        return (int)(-from[i] - 1);
    }

    private static GcRootPath BuildPath(ClrRuntime runtime, HeapIndex index, long[] from, Seed seed, long referrer, long target, ulong address,
        string targetType, bool truncated, string? dumpPath)
    {
        var chainIndices = new List<long>();
        if (referrer >= 0)
        {
            for (long i = referrer; ; i = from[i] - 1)
            {
                chainIndices.Add(i);
                if (from[i] <= 0)
                {
                    break;
                }
            }

            chainIndices.Reverse();
        }

        chainIndices.Add(target);
        var steps = new List<GcRootStep>(chainIndices.Count);
        ulong previous = 0;
        foreach (long i in chainIndices)
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
            RootKind = seed.Kind,
            RootName = seed.Name,
            RootAddress = seed.RootAddress,
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

        return "?";
    }

    private static List<Seed> EnumerateSeeds(ClrRuntime runtime, HeapIndex index, CancellationToken cancellationToken)
    {
        var seeds = new List<Seed>();
        var domains = runtime.AppDomains.ToList();
        if (runtime.SystemDomain is not null)
        {
            domains.Add(runtime.SystemDomain);
        }

        if (runtime.SharedDomain is not null)
        {
            domains.Add(runtime.SharedDomain);
        }

        var typesSeen = new HashSet<ulong>();
        var staticsSeen = new HashSet<(ulong, ulong)>();

        void AddStatics(ClrType type)
        {
            if (!typesSeen.Add(type.MethodTable))
            {
                return;
            }

            foreach (ClrStaticField field in type.StaticFields)
            {
                if (!field.IsObjectReference)
                {
                    continue;
                }

                foreach (ClrAppDomain domain in domains)
                {
                    try
                    {
                        if (!field.IsInitialized(domain))
                        {
                            continue;
                        }

                        ulong storage = field.GetAddress(domain);
                        ClrObject value = field.ReadObject(domain);
                        if (value.Address != 0 && staticsSeen.Add((storage, value.Address)))
                        {
                            seeds.Add(new Seed("StaticField", $"{type.Name}.{field.Name}", storage, value.Address));
                        }
                    }
                    catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException or NullReferenceException)
                    {
                        // A static the DAC cannot resolve in this domain: its object is still reached through the handle roots.
                    }
                }
            }
        }

        foreach (ClrModule module in runtime.EnumerateModules())
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (ClrType type in module.EnumerateTypesWithStaticFields())
            {
                AddStatics(type);
            }
        }

        foreach (HeapType t in index.Types)
        {
            if (t.ClrType is { IsFree: false } type)
            {
                AddStatics(type);
            }
        }

        foreach (ClrRoot root in runtime.Heap.EnumerateRoots())
        {
            cancellationToken.ThrowIfCancellationRequested();
            string kind = root.RootKind switch
            {
                ClrRootKind.Stack => "Stack",
                ClrRootKind.FinalizerQueue => "FinalizerQueue",
                ClrRootKind.StrongHandle => "StrongHandle",
                ClrRootKind.PinnedHandle => "PinnedHandle",
                ClrRootKind.AsyncPinnedHandle => "AsyncPinnedHandle",
                ClrRootKind.RefCountedHandle => "RefCountedHandle",
                ClrRootKind.SizedRefHandle => "SizedRefHandle",
                _ => root.RootKind.ToString(),
            };
            string name = root switch
            {
                ClrHandle h => $"{h.HandleKind} handle 0x{h.Address:x}",
                ClrStackRoot s => $"thread {s.StackFrame?.Thread?.ManagedThreadId} (os 0x{s.StackFrame?.Thread?.OSThreadId:x}) {s.StackFrame?.Method?.Signature ?? s.StackFrame?.FrameName ?? "?"}",
                _ => $"{kind} 0x{root.Address:x}",
            };
            seeds.Add(new Seed(kind, name, root.Address, root.Object.Address));
        }

        return seeds;
    }
}
