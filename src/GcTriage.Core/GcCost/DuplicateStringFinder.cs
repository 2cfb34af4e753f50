using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>Options for Get-GcDuplicateString.</summary>
public sealed class DuplicateStringQuery
{
    /// <summary>Values held fewer times than this are left out (at least 2).</summary>
    public long MinCount { get; init; } = 2;
    /// <summary>Only the N that waste most; 0: all.</summary>
    public int Top { get; init; }
    /// <summary>Read each row's value (dumps hold secrets: off unless asked).</summary>
    public bool IncludeValues { get; init; }
    /// <summary>Look for a field holding one instance of each row among the objects beside it in memory.</summary>
    public bool HoldingField { get; init; } = true;
}

/// <summary>
/// Strings with the same value, from the session's heap index: every string's characters are read in large windows of the target's
/// memory, in address order, and reduced to a 128-bit hash (values are not kept); segments are hashed in parallel. Then, for the rows
/// kept, the objects beside each row's sample instance in memory are searched for a string field holding it.
/// </summary>
public static class DuplicateStringFinder
{
    private const int StringHeader = 12;
    /// <summary>A string of n characters takes StringBaseSize + 2n bytes (header, method table, length, terminator).</summary>
    private const int StringBaseSize = 22;
    /// <summary>Objects either side of a sample string searched for a holding field.</summary>
    public const int Neighbourhood = 16;

    /// <summary>Copies looked at for a holding field, lowest addresses first (the lowest may be a literal in the frozen segment, held by no field).</summary>
    private const int HolderSamples = 4;

    private readonly record struct Group(long Count, int Length, long Size, ulong First, ulong[] Samples);

    /// <summary>One string: its hash and address (24 bytes; the value is not kept).</summary>
    private struct Hashed
    {
        public ulong A;
        public ulong B;
        public ulong Address;
    }

    /// <summary>A worker's hashed strings, appended in scan order.</summary>
    private sealed class HashedList
    {
        public Hashed[] Items = new Hashed[1024];
        public int Count;

        public void Add(in Hashed h)
        {
            if (Count == Items.Length)
            {
                Array.Resize(ref Items, Items.Length * 2);
            }

            Items[Count++] = h;
        }
    }

    public static IReadOnlyList<GcDuplicateString> Find(DumpSession session, DuplicateStringQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null) =>
        session.Read(cancellationToken, ct => FindLeased(session, query, ct, progress));

    private static IReadOnlyList<GcDuplicateString> FindLeased(DumpSession session, DuplicateStringQuery query, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        ClrHeap heap = session.Heap;
        IDataReader reader = heap.Runtime.DataTarget.DataReader;
        ulong stringMt = heap.StringType.MethodTable;
        int stringId = index.Types.FirstOrDefault(t => t.MethodTable == stringMt)?.Id ?? -1;
        if (stringId < 0 || reader.PointerSize != 8)
        {
            return Array.Empty<GcDuplicateString>();
        }

        long minCount = Math.Max(2, query.MinCount);
        List<Group> groups = GroupStrings(index, reader, stringId, minCount, cancellationToken, progress);
        IEnumerable<Group> kept = groups
            .OrderByDescending(g => (g.Count - 1) * g.Size)
            .ThenByDescending(g => g.Count)
            .ThenBy(g => g.First);
        List<Group> rows = (query.Top > 0 ? kept.Take(query.Top) : kept).ToList();
        groups.Clear();

        Dictionary<ulong, string>? holders = query.HoldingField && rows.Count > 0
            ? FindHolders(index, heap, reader, rows)
            : null;
        return rows.Select(g => new GcDuplicateString
        {
            Length = g.Length,
            Count = g.Count,
            Size = g.Size,
            WastedBytes = (g.Count - 1) * g.Size,
            Address = g.First,
            HoldingField = holders is not null && holders.TryGetValue(g.First, out string? field) ? field : null,
            Value = query.IncludeValues ? ReadValue(reader, g) : null,
            DumpPath = session.Path,
        }).ToList();
    }

    /// <summary>The characters of a row's first string, read alone (the rows are in size order, not address order): null when the dump lacks them.</summary>
    private static string? ReadValue(IDataReader reader, Group g)
    {
        var bytes = new byte[2 * g.Length];
        return reader.Read(g.First + StringHeader, bytes) < bytes.Length ? null : new string(MemoryMarshal.Cast<byte, char>(bytes));
    }

    /// <summary>
    /// Every string's characters reduced to a 128-bit hash, then grouped without a hash table. Blocks of the index are hashed in
    /// parallel (largest first), each worker appending (hash, address) to its own list and marking the hash's slot in two shared
    /// bitmaps, "seen" and "seen again" (8 slots per string: fits the cache far better than a table of every value). Only strings
    /// whose slot was seen again can have a twin; those few are sorted on their hash and the runs of equal hashes counted.
    /// </summary>
    private static List<Group> GroupStrings(HeapIndex index, IDataReader reader, int stringId, long minCount, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        HeapIndex.Block[] blocks = index.Blocks.OrderByDescending(b => b.Count).ToArray();
        long strings = 0;
        foreach (HeapIndex.Block b in blocks)
        {
            for (int i = 0; i < b.Count; i++)
            {
                if (b[i].TypeId == stringId)
                {
                    strings++;
                }
            }
        }

        int slotBits = Math.Clamp(64 - BitOperations.LeadingZeroCount((ulong)Math.Max(1, strings * 8 - 1)), 10, 36);
        var filter = new SlotFilter(slotBits);
        var workers = new List<HashedList>();
        int done = 0;
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.ForEach(blocks, options,
            () => (List: new HashedList(), Window: new MemoryWindow(reader)),
            (block, _, state) =>
            {
                HashBlock(index, block, stringId, state.Window, state.List, filter, cancellationToken);
                int n = Interlocked.Increment(ref done);
                progress?.Report(new GcProgress("Hashing strings", $"{n:N0} of {blocks.Length:N0} segments", 90 * n / Math.Max(1, blocks.Length)));
                return state;
            },
            state =>
            {
                lock (workers)
                {
                    workers.Add(state.List);
                }
            });

        // The candidates: strings whose slot was hit more than once (every true duplicate, and a few strangers sharing a slot).
        var keys = new List<ulong>();
        var rest = new List<(ulong B, ulong Address)>();
        foreach (HashedList list in workers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int k = 0; k < list.Count; k++)
            {
                ref Hashed h = ref list.Items[k];
                if (filter.SeenAgain(h.A))
                {
                    keys.Add(h.A);
                    rest.Add((h.B, h.Address));
                }
            }

            list.Items = Array.Empty<Hashed>();
        }

        ulong[] sortedKeys = keys.ToArray();
        (ulong B, ulong Address)[] sortedRest = rest.ToArray();
        Array.Sort(sortedKeys, sortedRest);
        var groups = new List<Group>();
        for (int i = 0; i < sortedKeys.Length;)
        {
            int j = i + 1;
            while (j < sortedKeys.Length && sortedKeys[j] == sortedKeys[i])
            {
                j++;
            }

            if (j - i >= minCount)
            {
                // Equal first halves of the hash; the second halves, equal too in practice, split the run if not.
                foreach (var run in sortedRest.AsSpan(i, j - i).ToArray().GroupBy(r => r.B))
                {
                    long count = run.LongCount();
                    if (count >= minCount)
                    {
                        // The lowest address is the sample; its size (and so its length) comes from the index.
                        ulong[] samples = run.Select(r => r.Address).Order().Take(HolderSamples).ToArray();
                        ulong first = samples[0];
                        long size = index.SizeOf(index.EntryAt(index.IndexOf(first)));
                        groups.Add(new Group(count, (int)((size - StringBaseSize) / 2), size, first, samples));
                    }
                }
            }

            i = j;
        }

        return groups;
    }

    private static void HashBlock(HeapIndex index, HeapIndex.Block block, int stringId, MemoryWindow window, HashedList list, SlotFilter filter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        for (int c = 0; c < block.Chunks.Count; c++)
        {
            HeapIndex.Entry[] chunk = block.Chunks[c];
            int n = Math.Min(chunk.Length, block.Count - (c << HeapIndex.ChunkShift));
            for (int i = 0; i < n; i++)
            {
                ref HeapIndex.Entry e = ref chunk[i];
                if (e.TypeId != stringId)
                {
                    continue;
                }

                long size = index.SizeOf(e);
                if (size < StringHeader || size > int.MaxValue)
                {
                    continue;
                }

                ReadOnlySpan<byte> bytes = window.Get(e.Address, (int)size);
                if (bytes.IsEmpty)
                {
                    continue;
                }

                int length = MemoryMarshal.Read<int>(bytes.Slice(8));
                if (length < 0 || StringHeader + 2L * length > bytes.Length)
                {
                    continue;
                }

                StringHash h = StringHash.Of(bytes.Slice(StringHeader, 2 * length), length);
                filter.Mark(h.A);
                list.Add(new Hashed { A = h.A, B = h.B, Address = e.Address });
            }
        }
    }

    /// <summary>
    /// For each group, "Type.field" of an object holding one of its first copies among that copy's neighbours in memory (<see cref="Neighbourhood"/>
    /// objects either side): a holder is most often allocated right beside its string, and survivors keep their allocation order.
    /// A string held otherwise (by an array, or from far away) gets none: looking further would mean a pass over the whole heap.
    /// </summary>
    private static Dictionary<ulong, string> FindHolders(HeapIndex index, ClrHeap heap, IDataReader reader, IEnumerable<Group> groups)
    {
        ulong stringMt = heap.StringType.MethodTable;
        var fieldsByType = new (int Offset, string Name)[]?[index.Types.Count];
        var known = new bool[index.Types.Count];
        var found = new Dictionary<ulong, string>();
        Span<byte> buffer = stackalloc byte[8];
        foreach (Group group in groups)
        {
            foreach (ulong sample in group.Samples)
            {
                string? holder = FindHolder(index, reader, stringMt, sample, fieldsByType, known, buffer);
                if (holder is not null)
                {
                    found.Add(group.First, holder);
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>"Type.field" of an object among <paramref name="sample"/>'s neighbours that holds it, or null.</summary>
    private static string? FindHolder(HeapIndex index, IDataReader reader, ulong stringMt, ulong sample, (int Offset, string Name)[]?[] fieldsByType,
        bool[] known, Span<byte> buffer)
    {
        long at = index.IndexOf(sample);
        if (at < 0)
        {
            return null;
        }

        for (long d = 1; d <= Neighbourhood; d++)
        {
            foreach (long j in new[] { at + d, at - d })
            {
                if (j < 0 || j >= index.Count)
                {
                    continue;
                }

                HeapIndex.Entry e = index.EntryAt(j);
                var fields = FieldsOf(index.Types[e.TypeId], stringMt, fieldsByType, known);
                foreach (var (offset, name) in fields ?? Array.Empty<(int, string)>())
                {
                    if (reader.Read(e.Address + (ulong)offset, buffer) == 8 && MemoryMarshal.Read<ulong>(buffer) == sample)
                    {
                        return name;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The string-typed instance fields of a type (offsets from the object's start), computed once per type.</summary>
    private static (int Offset, string Name)[]? FieldsOf(HeapType type, ulong stringMt, (int Offset, string Name)[]?[] fieldsByType, bool[] known)
    {
        if (known[type.Id])
        {
            return fieldsByType[type.Id];
        }

        known[type.Id] = true;
        ClrType? clrType = type.ClrType;
        if (clrType is null || clrType.IsArray || clrType.IsFree || clrType.IsString)
        {
            return null;
        }

        var fields = clrType.Fields
            .Where(f => f.ElementType == ClrElementType.String || f.Type?.MethodTable == stringMt)
            .Select(f => (Offset: f.Offset + 8, Name: $"{type.Name}.{f.Name}"))
            .ToArray();
        return fieldsByType[type.Id] = fields.Length > 0 ? fields : null;
    }
}
