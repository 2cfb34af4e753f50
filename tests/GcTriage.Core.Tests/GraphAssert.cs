using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core.Tests;

/// <summary>The reference graph against ClrMD's own per-object enumeration, the oracle.</summary>
internal static class GraphAssert
{
    /// <summary>
    /// Every object's successors equal, as a multiset of nodes, ClrMD's EnumerateReferenceAddresses(carefully: false,
    /// considerDependantHandles: true) kept to targets that are objects of the index, plus the loader allocator of a collectible
    /// type (ClrMD's EnumerateReferences gives it, EnumerateReferenceAddresses does not); and the graph's dropped pointers are the
    /// non-null ones left out. Returns the number of edges.
    /// </summary>
    public static long SameEdgesAsClrMD(ClrHeap heap, HeapIndex index, ReferenceGraph graph)
    {
        IDataReader reader = heap.Runtime.DataTarget.DataReader;
        long edges = 0;
        long dropped = 0;
        var expected = new List<int>();
        Assert.Equal(index.Count, graph.NodeCount);
        index.ForEach((i, e) =>
        {
            expected.Clear();
            ClrType? type = index.Types[e.TypeId].ClrType;
            if (type is not null)
            {
                foreach (ulong p in heap.GetObject(e.Address, type).EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
                {
                    Add(p);
                }

                if (type.IsCollectible)
                {
                    Add(reader.ReadPointer(type.LoaderAllocatorHandle));
                }
            }

            int[] actual = graph.Successors((int)i).ToArray();
            Array.Sort(actual);
            expected.Sort();
            if (!actual.AsSpan().SequenceEqual(CollectionsMarshalSpan(expected)))
            {
                Assert.Fail($"node {i} {index.Types[e.TypeId].Name} at {e.Address:x}: graph [{string.Join(",", actual)}], ClrMD [{string.Join(",", expected)}]");
            }

            edges += actual.Length;
        });

        Assert.Equal(edges, graph.EdgeCount);
        Assert.Equal(dropped, graph.DroppedPointers);
        return edges;

        void Add(ulong p)
        {
            if (p == 0)
            {
                return;
            }

            long n = index.IndexOf(p);
            if (n >= 0)
            {
                expected.Add((int)n);
            }
            else
            {
                dropped++;
            }
        }
    }

    /// <summary>Two graphs with the same successors for every node (as multisets).</summary>
    public static void SameGraph(IDirectedGraph expected, IDirectedGraph actual)
    {
        Assert.Equal(expected.NodeCount, actual.NodeCount);
        for (int i = 0; i < expected.NodeCount; i++)
        {
            int[] a = expected.Successors(i).ToArray();
            int[] b = actual.Successors(i).ToArray();
            Array.Sort(a);
            Array.Sort(b);
            if (!a.AsSpan().SequenceEqual(b))
            {
                Assert.Fail($"node {i}: [{string.Join(",", a)}] against [{string.Join(",", b)}]");
            }
        }
    }

    private static ReadOnlySpan<int> CollectionsMarshalSpan(List<int> list) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
}
