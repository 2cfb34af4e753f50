namespace GcTriage;

/// <summary>
/// One hash-based collection instance on the heap (Dictionary, HashSet, ConcurrentDictionary, Hashtable), read through the fields of the
/// runtime's own implementation. Raw bytes and counts; a field the reader expected and did not find is named in <see cref="Problems"/>.
/// </summary>
public sealed class GcCollectionInfo
{
    /// <summary>Address of the collection object (binds to Get-GcRoot -Address).</summary>
    public ulong Address { get; init; }
    /// <summary>Dictionary, HashSet, ConcurrentDictionary, Hashtable.</summary>
    public string Kind { get; init; } = "";
    public string TypeName { get; init; } = "";
    public string? KeyType { get; init; }
    public string? ValueType { get; init; }
    /// <summary>
    /// Whether the entries hold references (keys or values that are, or contain, object references). Entries that hold none are one
    /// object to the GC's mark phase however many there are, and writes into them leave no card for gen0/gen1 GCs to scan.
    /// </summary>
    public bool HoldsReferences { get; init; }
    /// <summary>Entries in use (Count as the collection reports it).</summary>
    public long Count { get; init; }
    /// <summary>Slots allocated: the length of the entries (or buckets, for Hashtable and ConcurrentDictionary) array.</summary>
    public long Capacity { get; init; }
    /// <summary>Entries freed by Remove and not reused yet (Dictionary, HashSet).</summary>
    public long FreeCount { get; init; }
    /// <summary>Count / Capacity.</summary>
    public double FillRatio { get; init; }
    /// <summary>The generation of the largest object it owns (LOH when its entries array is there).</summary>
    public GcGeneration Generation { get; init; }
    /// <summary>The collection object and the arrays it owns (buckets, entries, ConcurrentDictionary tables, nodes and locks).</summary>
    public long ShallowBytes { get; init; }
    /// <summary>Bytes of entry slots not holding a live entry: (Capacity - Count) x entry size.</summary>
    public long WastedBytes { get; init; }
    /// <summary>
    /// Bytes freed if this collection died: ShallowBytes plus keys/values (and what they hold) reachable only through it.
    /// Equal to ShallowBytes when entries hold no references; null when not computed (ask with -Retained).
    /// </summary>
    public long? RetainedBytes { get; init; }
    /// <summary>True when the RetainedBytes search ran out of its budget (the figure is then a lower bound).</summary>
    public bool Truncated { get; init; }
    /// <summary>Smallest key, for integer (and char, enum) keys.</summary>
    public long? KeyMin { get; init; }
    /// <summary>Largest key, for integer (and char, enum) keys.</summary>
    public long? KeyMax { get; init; }
    /// <summary>Count / (KeyMax - KeyMin + 1), for integer keys.</summary>
    public double? Density { get; init; }
    /// <summary>True for a HashSet, and for a map whose values are all the same (Dictionary&lt;long,bool&gt; with every value true).</summary>
    public bool IsSetLike { get; init; }
    /// <summary>The one value every entry holds, for primitive values only (never a string or object content).</summary>
    public string? SetValue { get; init; }
    /// <summary>What this data would take in other shapes, and the recommendation.</summary>
    public GcCollectionAdvice? Advice { get; init; }
    /// <summary>Whether only live instances were listed (-Live).</summary>
    public bool Live { get; init; }
    /// <summary>Fields the reader expected and did not find, or values it could not read; the other figures still stand.</summary>
    public IReadOnlyList<string> Problems { get; init; } = Array.Empty<string>();
    public string? DumpPath { get; init; }

    public override string ToString() => $"0x{Address:x} {TypeName}: {Count} of {Capacity}, {ShallowBytes} bytes";
}

/// <summary>The bytes the data of one collection would take in other shapes, following the runtime's layout on this platform.</summary>
public sealed class GcCollectionAdvice
{
    /// <summary>What it takes now (ShallowBytes).</summary>
    public long CurrentBytes { get; init; }
    /// <summary>A HashSet&lt;TKey&gt; of Count keys, sized as HashSet would size it (buckets and entries of the next prime).</summary>
    public long? HashSetBytes { get; init; }
    /// <summary>A BitArray over [KeyMin, KeyMax] (integer keys only).</summary>
    public long? BitArrayBytes { get; init; }
    /// <summary>CurrentBytes minus the smallest alternative that keeps the same information (values constant or a set), else 0.</summary>
    public long SavingBytes { get; init; }
    /// <summary>The shape it recommends: BitArray, HashSet, or None.</summary>
    public string Recommended { get; init; } = "None";
    public string Recommendation { get; init; } = "";

    public override string ToString() => Recommendation;
}
