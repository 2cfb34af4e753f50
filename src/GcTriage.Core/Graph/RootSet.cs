using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// Every root of a dump, enumerated once per session (<see cref="DumpSession.GetRootSet"/>): static fields by name first (each module's
/// types with statics, then every type on the heap), then ClrMD's roots (stack slots, strong, pinned, async-pinned, ref-counted and
/// sized-ref handles, the finalizer queue), each with its kind, name and node; and the distinct root nodes, which marking and
/// dominators start from. Modelled on dotnet/diagnostics' RootCacheService.
/// </summary>
public sealed class RootSet
{
    private readonly RootEntry[] _entries;
    private readonly int[] _nodes;

    private RootSet(RootEntry[] entries, int[] nodes)
    {
        _entries = entries;
        _nodes = nodes;
    }

    /// <summary>Every root in order: statics first, then handles, stack slots and the finalizer queue as ClrMD lists them.</summary>
    public IReadOnlyList<RootEntry> Entries => _entries;

    /// <summary>The distinct nodes the roots hold, ascending.</summary>
    public ReadOnlySpan<int> Nodes => _nodes;

    internal static RootSet Build(ClrRuntime runtime, HeapIndex index, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        progress?.Report(new GcProgress("Enumerating roots", "static fields", -1));
        var entries = new List<RootEntry>();
        AddStatics(runtime, index, entries, cancellationToken);
        progress?.Report(new GcProgress("Enumerating roots", "handles, stacks, finalizer queue", -1));
        foreach (ClrRoot root in runtime.Heap.EnumerateRoots())
        {
            cancellationToken.ThrowIfCancellationRequested();
            RootKind kind = KindOf(root.RootKind);
            string name = root switch
            {
                ClrHandle h => $"{h.HandleKind} handle 0x{h.Address:x}",
                ClrStackRoot s => $"thread {s.StackFrame?.Thread?.ManagedThreadId} (os 0x{s.StackFrame?.Thread?.OSThreadId:x}) {s.StackFrame?.Method?.Signature ?? s.StackFrame?.FrameName ?? "?"}",
                _ => $"{kind} 0x{root.Address:x}",
            };
            entries.Add(new RootEntry(kind, name, root.Address, root.Object.Address, NodeOf(index, root.Object.Address)));
        }

        int[] nodes = entries.Where(e => e.Node >= 0).Select(e => e.Node).Distinct().Order().ToArray();
        return new RootSet(entries.ToArray(), nodes);
    }

    internal static RootKind KindOf(ClrRootKind kind) => kind switch
    {
        ClrRootKind.Stack => RootKind.Stack,
        ClrRootKind.FinalizerQueue => RootKind.FinalizerQueue,
        ClrRootKind.StrongHandle => RootKind.StrongHandle,
        ClrRootKind.PinnedHandle => RootKind.PinnedHandle,
        ClrRootKind.AsyncPinnedHandle => RootKind.AsyncPinnedHandle,
        ClrRootKind.RefCountedHandle => RootKind.RefCountedHandle,
        ClrRootKind.SizedRefHandle => RootKind.SizedRefHandle,
        _ => RootKind.Other,
    };

    private static int NodeOf(HeapIndex index, ulong address)
    {
        long i = address == 0 ? -1 : index.IndexOf(address);
        return (int)i;
    }

    /// <summary>Static fields that hold an object, named Namespace.Type.Field, in every app domain where they are initialized.</summary>
    private static void AddStatics(ClrRuntime runtime, HeapIndex index, List<RootEntry> entries, CancellationToken cancellationToken)
    {
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

        void AddType(ClrType type)
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
                            entries.Add(new RootEntry(RootKind.StaticField, $"{type.Name}.{field.Name}", storage, value.Address, NodeOf(index, value.Address)));
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
                AddType(type);
            }
        }

        foreach (HeapType t in index.Types)
        {
            if (t.ClrType is { IsFree: false } type)
            {
                AddType(type);
            }
        }
    }
}
