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
    /// <summary>Look for a field holding one instance of each row (one pass over the objects whose types have string fields).</summary>
    public bool HoldingField { get; init; } = true;
}

/// <summary>
/// Strings with the same value, from the session's heap index: every string's characters are read in large windows of the target's
/// memory, in address order, and reduced to a 128-bit hash (values are not kept). Then, for the rows kept, one pass over the objects
/// whose types have string fields names a field holding the row's sample instance.
/// </summary>
public static class DuplicateStringFinder
{
    private const int StringHeader = 12;

    private struct Group
    {
        public long Count;
        public int Length;
        public long Size;
        public ulong First;
    }

    public static IReadOnlyList<GcDuplicateString> Find(DumpSession session, DuplicateStringQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
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

        var groups = new Dictionary<StringHash, Group>();
        int done = 0;
        foreach (HeapIndex.Block block in index.Blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new GcProgress("Hashing strings", $"{groups.Count:N0} distinct values", 100 * done++ / Math.Max(1, index.Blocks.Count)));
            var window = new MemoryWindow(reader);
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

                    ref Group g = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, StringHash.Of(bytes.Slice(StringHeader, 2 * length), length), out bool existed);
                    if (!existed)
                    {
                        g.Length = length;
                        g.Size = size;
                        g.First = e.Address;
                    }

                    g.Count++;
                }
            }
        }

        long minCount = Math.Max(2, query.MinCount);
        IEnumerable<Group> kept = groups.Values
            .Where(g => g.Count >= minCount)
            .OrderByDescending(g => (g.Count - 1) * g.Size)
            .ThenByDescending(g => g.Count)
            .ThenBy(g => g.First);
        List<Group> rows = (query.Top > 0 ? kept.Take(query.Top) : kept).ToList();
        groups.Clear();

        Dictionary<ulong, string>? holders = query.HoldingField && rows.Count > 0
            ? FindHolders(index, heap, reader, rows.Select(r => r.First).ToHashSet(), cancellationToken, progress)
            : null;
        var window2 = new MemoryWindow(reader);
        return rows.Select(g => new GcDuplicateString
        {
            Length = g.Length,
            Count = g.Count,
            Size = g.Size,
            WastedBytes = (g.Count - 1) * g.Size,
            Address = g.First,
            HoldingField = holders is not null && holders.TryGetValue(g.First, out string? field) ? field : null,
            Value = query.IncludeValues ? ReadValue(window2, g) : null,
            DumpPath = session.Path,
        }).ToList();
    }

    private static string? ReadValue(MemoryWindow window, Group g)
    {
        ReadOnlySpan<byte> bytes = window.Get(g.First + StringHeader, 2 * g.Length);
        return bytes.IsEmpty && g.Length > 0 ? null : new string(MemoryMarshal.Cast<byte, char>(bytes));
    }

    /// <summary>For each target string, "Type.field" of one object found holding it, among the types that have string fields.</summary>
    private static Dictionary<ulong, string> FindHolders(HeapIndex index, ClrHeap heap, IDataReader reader, HashSet<ulong> targets,
        CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        ulong stringMt = heap.StringType.MethodTable;
        var fieldsByType = new (int Offset, string Name)[]?[index.Types.Count];
        foreach (HeapType type in index.Types)
        {
            ClrType? clrType = type.ClrType;
            if (clrType is null || clrType.IsArray || clrType.IsFree || clrType.IsString)
            {
                continue;
            }

            var fields = clrType.Fields
                .Where(f => f.ElementType == ClrElementType.String || f.Type?.MethodTable == stringMt)
                .Select(f => (Offset: f.Offset + 8, Name: $"{type.Name}.{f.Name}"))
                .ToArray();
            if (fields.Length > 0)
            {
                fieldsByType[type.Id] = fields;
            }
        }

        var found = new Dictionary<ulong, string>();
        int done = 0;
        foreach (HeapIndex.Block block in index.Blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new GcProgress("Finding holding fields", $"{found.Count:N0} of {targets.Count:N0}", 100 * done++ / Math.Max(1, index.Blocks.Count)));
            var window = new MemoryWindow(reader);
            for (int c = 0; c < block.Chunks.Count && found.Count < targets.Count; c++)
            {
                HeapIndex.Entry[] chunk = block.Chunks[c];
                int n = Math.Min(chunk.Length, block.Count - (c << HeapIndex.ChunkShift));
                for (int i = 0; i < n; i++)
                {
                    ref HeapIndex.Entry e = ref chunk[i];
                    var fields = fieldsByType[e.TypeId];
                    if (fields is null)
                    {
                        continue;
                    }

                    long size = index.SizeOf(e);
                    if (size > int.MaxValue)
                    {
                        continue;
                    }

                    ReadOnlySpan<byte> bytes = window.Get(e.Address, (int)size);
                    foreach (var (offset, name) in fields)
                    {
                        if (offset + 8 > bytes.Length)
                        {
                            continue;
                        }

                        ulong value = MemoryMarshal.Read<ulong>(bytes.Slice(offset));
                        if (value != 0 && targets.Contains(value))
                        {
                            found.TryAdd(value, name);
                        }
                    }
                }
            }

            if (found.Count == targets.Count)
            {
                break;
            }
        }

        return found;
    }
}
