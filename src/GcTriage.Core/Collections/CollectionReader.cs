using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// Reads one hash collection instance through the fields of the runtime's own implementation. Every field it expects and does not
/// find is named in Problems, and the figures that do not depend on it still come out: a runtime whose Dictionary has other
/// fields gives a row that says so, never a silently wrong one.
/// </summary>
internal sealed class CollectionReader
{
    /// <summary>Which type names are which collection kind: a generic type name prefix (closed by its own '&gt;'), or an exact name.</summary>
    internal static readonly IReadOnlyList<(string Name, string Kind)> DefaultKinds = new[]
    {
        ("System.Collections.Generic.Dictionary<", "Dictionary"),
        ("System.Collections.Generic.HashSet<", "HashSet"),
        ("System.Collections.Concurrent.ConcurrentDictionary<", "ConcurrentDictionary"),
        ("System.Collections.Hashtable", "Hashtable"),
    };

    private const int ReadChunkBytes = 1 << 20;

    private readonly ClrRuntime _runtime;
    private readonly ClrHeap _heap;
    private readonly HeapIndex _index;
    private readonly IDataReader _memory;
    private readonly int _pointerSize;
    private readonly IReadOnlyList<(string Name, string Kind)> _kinds;

    internal CollectionReader(ClrRuntime runtime, HeapIndex index, IReadOnlyList<(string Name, string Kind)>? kinds = null)
    {
        _runtime = runtime;
        _heap = runtime.Heap;
        _index = index;
        _memory = runtime.DataTarget.DataReader;
        _pointerSize = _memory.PointerSize;
        _kinds = kinds ?? DefaultKinds;
    }

    /// <summary>The collection kind of a type name, or null.</summary>
    internal string? KindOf(string typeName)
    {
        foreach (var (name, kind) in _kinds)
        {
            if (name.EndsWith('<'))
            {
                if (typeName.StartsWith(name, StringComparison.Ordinal) && ClosingBracket(typeName, name.Length - 1) == typeName.Length - 1)
                {
                    return kind;
                }
            }
            else if (typeName == name)
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>Index of the '&gt;' that closes the '&lt;' at <paramref name="open"/>, or -1.</summary>
    private static int ClosingBracket(string name, int open)
    {
        int depth = 0;
        for (int i = open; i < name.Length; i++)
        {
            if (name[i] == '<')
            {
                depth++;
            }
            else if (name[i] == '>' && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Top-level generic arguments of a type name ("A&lt;B, C&lt;D, E&gt;&gt;" gives B and C&lt;D, E&gt;).</summary>
    internal static IReadOnlyList<string> GenericArguments(string name)
    {
        int open = name.IndexOf('<');
        if (open < 0)
        {
            return Array.Empty<string>();
        }

        int close = ClosingBracket(name, open);
        if (close < 0)
        {
            return Array.Empty<string>();
        }

        var result = new List<string>();
        int depth = 0;
        int start = open + 1;
        for (int i = open + 1; i < close; i++)
        {
            char c = name[i];
            if (c is '<' or '[')
            {
                depth++;
            }
            else if (c is '>' or ']')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                result.Add(name[start..i].Trim());
                start = i + 1;
            }
        }

        result.Add(name[start..close].Trim());
        return result;
    }

    /// <summary>Reads the collection at <paramref name="address"/> as <paramref name="kind"/>.</summary>
    internal GcCollectionInfo Read(ulong address, string kind, string? dumpPath, CancellationToken cancellationToken = default)
    {
        ClrObject obj = _heap.GetObject(address);
        if (obj.Type is null)
        {
            throw new InvalidAddressException(address, "its method table cannot be read");
        }

        var state = new State(obj, kind, dumpPath);
        var generic = GenericArguments(obj.Type.Name ?? "");
        state.KeyType = generic.Count > 0 ? generic[0] : null;
        state.ValueType = generic.Count > 1 ? generic[1] : null;
        state.Own(obj.Address, obj.Size);
        switch (kind)
        {
            case "Dictionary":
                ReadHashArrays(state, "key", "value", cancellationToken);
                break;
            case "HashSet":
                ReadHashArrays(state, "Value", null, cancellationToken);
                state.IsSetLike = true;
                break;
            case "ConcurrentDictionary":
                ReadConcurrent(state, cancellationToken);
                break;
            case "Hashtable":
                ReadHashtable(state);
                break;
            default:
                state.Problems.Add($"unknown collection kind '{kind}'");
                break;
        }

        return state.ToInfo(this);
    }

    // Dictionary<TKey,TValue> and HashSet<T> (src/libraries/System.Private.CoreLib/src/System/Collections/Generic/Dictionary.cs):
    // _buckets int[], _entries Entry[], _count (slots ever used), _freeList, _freeCount; an entry is free when next < -1.
    private void ReadHashArrays(State s, string keyName, string? valueName, CancellationToken cancellationToken)
    {
        ClrType type = s.Object.Type!;
        int? count = ReadInt(s, type, "_count");
        int? freeCount = ReadInt(s, type, "_freeCount");
        _ = Field(s, type, "_freeList");
        ClrObject buckets = ReadObject(s, s.Object, "_buckets");
        ClrObject entries = ReadObject(s, s.Object, "_entries");
        if (!buckets.IsNull && buckets.IsValid)
        {
            s.Own(buckets.Address, buckets.Size);
        }

        s.FreeCount = freeCount ?? 0;
        s.Count = count is null ? 0 : count.Value - (freeCount ?? 0);
        if (entries.IsNull || !entries.IsValid || entries.Type is null)
        {
            return;
        }

        s.Own(entries.Address, entries.Size);
        int length = entries.AsArray().Length;
        s.Capacity = length;
        int elementSize = entries.Type.ComponentSize;
        s.EntryBytes = elementSize;
        ClrType? entryType = entries.Type.ComponentType;
        if (entryType is null)
        {
            s.Problems.Add($"the element type of {entries.Type.Name} cannot be resolved: keys not read");
            return;
        }

        ClrInstanceField? next = FieldOf(s, entryType, "next", "Next");
        ClrInstanceField? key = FieldOf(s, entryType, keyName, keyName.ToLowerInvariant());
        ClrInstanceField? value = valueName is null ? null : FieldOf(s, entryType, valueName, char.ToUpperInvariant(valueName[0]) + valueName[1..]);
        DescribeKeyAndValue(s, key, value);

        if (next is null || key is null || count is null)
        {
            return;
        }

        int used = Math.Min(count.Value, length);
        ulong data = entries.Address + (ulong)(2 * _pointerSize);
        var scanner = new EntryScanner(s, key, value, _pointerSize);
        // Small collections (the common case, by the million) read in one small buffer; large ones in 1 MB chunks.
        byte[] buffer = new byte[Math.Max(elementSize, (int)Math.Min((long)used * elementSize, ReadChunkBytes / Math.Max(1, elementSize) * elementSize))];
        int perChunk = buffer.Length / elementSize;
        for (int first = 0; first < used; first += perChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(perChunk, used - first);
            Span<byte> span = buffer.AsSpan(0, n * elementSize);
            if (_memory.Read(data + (ulong)first * (ulong)elementSize, span) < span.Length)
            {
                s.Problems.Add($"entries {first}..{first + n - 1} are not in the dump");
                continue;
            }

            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<byte> entry = span.Slice(i * elementSize, elementSize);
                if (BinaryPrimitives.ReadInt32LittleEndian(entry.Slice(next.Offset)) < -1)
                {
                    continue;
                }

                scanner.Add(entry);
            }
        }

        scanner.Finish();
    }

    // ConcurrentDictionary<TKey,TValue>: _tables -> Tables { _buckets VolatileNode[] (or Node[]), _locks, _countPerLock int[] };
    // each bucket's Node chain { _key, _value, _next }.
    private void ReadConcurrent(State s, CancellationToken cancellationToken)
    {
        ClrObject tables = ReadObject(s, s.Object, "_tables");
        if (tables.IsNull || !tables.IsValid || tables.Type is null)
        {
            return;
        }

        s.Own(tables.Address, tables.Size);
        ClrType tablesType = tables.Type;
        ClrObject countPerLock = ReadObject(s, tables, "_countPerLock");
        if (!countPerLock.IsNull && countPerLock.IsValid)
        {
            s.Own(countPerLock.Address, countPerLock.Size);
            ClrArray counts = countPerLock.AsArray();
            long total = 0;
            foreach (int c in counts.ReadValues<int>(0, counts.Length) ?? Array.Empty<int>())
            {
                total += c;
            }

            s.Count = total;
        }

        ClrObject locks = ReadObject(s, tables, "_locks");
        if (!locks.IsNull && locks.IsValid)
        {
            s.Own(locks.Address, locks.Size);
            foreach (ClrObject l in locks.EnumerateReferences())
            {
                s.Own(l.Address, l.Size);
            }
        }

        ClrObject buckets = ReadObject(s, tables, "_buckets");
        if (buckets.IsNull || !buckets.IsValid || buckets.Type is null)
        {
            return;
        }

        s.Own(buckets.Address, buckets.Size);
        ClrArray bucketArray = buckets.AsArray();
        s.Capacity = bucketArray.Length;
        s.EntryBytes = buckets.Type.ComponentSize;
        ClrInstanceField? key = null;
        ClrInstanceField? value = null;
        ClrInstanceField? nextField = null;
        EntryScanner? scanner = null;
        long seen = 0;
        foreach (ClrObject head in buckets.EnumerateReferences())
        {
            ClrObject node = head;
            while (!node.IsNull && node.IsValid && node.Type is not null)
            {
                if (++seen % 4096 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (seen > _index.Count)
                {
                    // More nodes than objects on the heap: a chain loops back on itself (a damaged dump). Stop, and say so.
                    s.Problems.Add("its node chains loop (more nodes than objects on the heap): the dump is damaged; reading stopped");
                    scanner?.Finish();
                    return;
                }

                if (scanner is null)
                {
                    key = FieldOf(s, node.Type, "_key");
                    value = FieldOf(s, node.Type, "_value");
                    nextField = FieldOf(s, node.Type, "_next");
                    DescribeKeyAndValue(s, key, value);

                    scanner = key is null ? null : new EntryScanner(s, key, value, _pointerSize);
                    if (scanner is null)
                    {
                        break;
                    }
                }

                s.Own(node.Address, node.Size);
                // Node fields are relative to the object's data, which starts after the method table pointer.
                int dataBytes = (int)Math.Max(0, (long)node.Size - _pointerSize);
                byte[] raw = new byte[dataBytes];
                if (_memory.Read(node.Address + (ulong)_pointerSize, raw) == raw.Length)
                {
                    scanner.Add(raw);
                }

                if (nextField is null)
                {
                    break;
                }

                node = node.ReadObjectField(nextField);
            }
        }

        scanner?.Finish();
    }

    // Hashtable: _buckets bucket[] { key, val, hash_coll }, _count.
    private void ReadHashtable(State s)
    {
        ClrType type = s.Object.Type!;
        int? count = ReadInt(s, type, "_count");
        s.Count = count ?? 0;
        s.KeyType = "System.Object";
        s.ValueType = "System.Object";
        s.KeyHoldsReferences = true;
        s.ValueHoldsReferences = true;
        ClrObject buckets = ReadObject(s, s.Object, "_buckets");
        if (buckets.IsNull || !buckets.IsValid || buckets.Type is null)
        {
            return;
        }

        s.Own(buckets.Address, buckets.Size);
        s.Capacity = buckets.AsArray().Length;
        s.EntryBytes = buckets.Type.ComponentSize;
    }

    private static ClrInstanceField? FieldOf(State s, ClrType type, params string[] names)
    {
        foreach (string n in names)
        {
            ClrInstanceField? f = type.GetFieldByName(n);
            if (f is not null)
            {
                return f;
            }
        }

        s.Problems.Add($"field {names[0]} not found on {type.Name}");
        return null;
    }

    private static ClrInstanceField? Field(State s, ClrType type, string name) => FieldOf(s, type, name);

    private static int? ReadInt(State s, ClrType type, string name)
    {
        ClrInstanceField? f = Field(s, type, name);
        if (f is null)
        {
            return null;
        }

        if (f.ElementType != ClrElementType.Int32)
        {
            s.Problems.Add($"field {name} of {type.Name} is {f.ElementType}, not Int32");
            return null;
        }

        return f.Read<int>(s.Object.Address, interior: false);
    }

    private static ClrObject ReadObject(State s, ClrObject owner, string name)
    {
        ClrType type = owner.Type!;
        ClrInstanceField? f = Field(s, type, name);
        if (f is null)
        {
            return default;
        }

        if (!f.IsObjectReference)
        {
            s.Problems.Add($"field {name} of {type.Name} is not an object reference");
            return default;
        }

        return f.ReadObject(owner.Address, interior: false);
    }

    /// <summary>Records what the entries' key and value fields say: their types, the key's size and alignment, whether they hold references.</summary>
    private void DescribeKeyAndValue(State s, ClrInstanceField? key, ClrInstanceField? value)
    {
        if (key is not null)
        {
            s.KeyType ??= key.Type?.Name;
            s.KeySize = key.IsObjectReference ? _pointerSize : key.Size;
            s.KeyAlignment = AlignmentOf(key);
            s.KeyHoldsReferences = key.IsObjectReference || key.Type?.ContainsPointers == true;
        }

        if (value is not null)
        {
            s.ValueType ??= value.Type?.Name;
            s.ValueHoldsReferences = value.IsObjectReference || value.Type?.ContainsPointers == true;
        }
    }

    private int AlignmentOf(ClrInstanceField field)
    {
        if (field.IsObjectReference)
        {
            return _pointerSize;
        }

        return AlignmentOf(field.Type, field.Size, 0);
    }

    private int AlignmentOf(ClrType? type, int size, int depth)
    {
        if (type is null || depth > 4)
        {
            return Math.Clamp(size, 1, 8);
        }

        if (type.IsPrimitive || type.IsEnum)
        {
            return Math.Clamp(size, 1, 8);
        }

        int alignment = 1;
        foreach (ClrInstanceField f in type.Fields)
        {
            alignment = Math.Max(alignment, f.IsObjectReference ? _pointerSize : AlignmentOf(f.Type, f.Size, depth + 1));
        }

        return Math.Min(alignment, 8);
    }

    internal GcGeneration GenerationOf(ulong address) => _index.GenerationOf(address);

    /// <summary>Key range and value constancy over the entries in use; each entry's bytes start at the struct's first field.</summary>
    private sealed class EntryScanner
    {
        private readonly State _state;
        private readonly ClrInstanceField _key;
        private readonly ClrInstanceField? _value;
        private readonly ClrElementType _keyKind;
        private readonly int _valueSize;
        private byte[]? _firstValue;
        private bool _valuesEqual = true;
        private long _min = long.MaxValue;
        private long _max = long.MinValue;
        private ulong _umax;
        private long _entries;

        public EntryScanner(State state, ClrInstanceField key, ClrInstanceField? value, int pointerSize)
        {
            _state = state;
            _key = key;
            _value = value;
            ClrElementType kind = key.ElementType;
            if (key.Type is { IsEnum: true } enumType)
            {
                kind = enumType.AsEnum().ElementType;
            }

            _keyKind = kind;
            _valueSize = value is null ? 0 : value.IsObjectReference ? pointerSize : value.Size;
        }

        private bool IntegerKey => _keyKind is ClrElementType.Int8 or ClrElementType.UInt8 or ClrElementType.Int16 or ClrElementType.UInt16
            or ClrElementType.Int32 or ClrElementType.UInt32 or ClrElementType.Int64 or ClrElementType.UInt64 or ClrElementType.Char;

        public void Add(ReadOnlySpan<byte> entry)
        {
            _entries++;
            if (IntegerKey && _key.Offset + 8 <= entry.Length + 8)
            {
                ReadOnlySpan<byte> k = entry.Slice(_key.Offset);
                long v;
                switch (_keyKind)
                {
                    case ClrElementType.Int8: v = (sbyte)k[0]; break;
                    case ClrElementType.UInt8: v = k[0]; break;
                    case ClrElementType.Int16: v = BinaryPrimitives.ReadInt16LittleEndian(k); break;
                    case ClrElementType.UInt16:
                    case ClrElementType.Char: v = BinaryPrimitives.ReadUInt16LittleEndian(k); break;
                    case ClrElementType.Int32: v = BinaryPrimitives.ReadInt32LittleEndian(k); break;
                    case ClrElementType.UInt32: v = BinaryPrimitives.ReadUInt32LittleEndian(k); break;
                    case ClrElementType.UInt64:
                        ulong u = BinaryPrimitives.ReadUInt64LittleEndian(k);
                        _umax = Math.Max(_umax, u);
                        v = (long)Math.Min(u, long.MaxValue);
                        break;
                    default: v = BinaryPrimitives.ReadInt64LittleEndian(k); break;
                }

                if (v < _min)
                {
                    _min = v;
                }

                if (v > _max)
                {
                    _max = v;
                }
            }

            if (_value is not null && _valuesEqual)
            {
                ReadOnlySpan<byte> value = entry.Slice(_value.Offset, _valueSize);
                if (_firstValue is null)
                {
                    _firstValue = value.ToArray();
                }
                else if (!value.SequenceEqual(_firstValue))
                {
                    _valuesEqual = false;
                }
            }
        }

        public void Finish()
        {
            if (IntegerKey && _entries > 0)
            {
                _state.KeyMin = _min;
                _state.KeyMax = _max;
                if (_umax > long.MaxValue)
                {
                    _state.Problems.Add("keys above Int64.MaxValue: KeyMax is capped at Int64.MaxValue");
                }
            }

            if (_value is not null && _entries > 0 && _valuesEqual)
            {
                _state.IsSetLike = true;
                _state.SetValue = FormatPrimitive(_value, _firstValue!);
            }
        }

        private static string? FormatPrimitive(ClrInstanceField field, byte[] bytes)
        {
            ClrElementType kind = field.ElementType;
            if (field.Type is { IsEnum: true } enumType)
            {
                kind = enumType.AsEnum().ElementType;
            }

            ReadOnlySpan<byte> b = bytes;
            return kind switch
            {
                ClrElementType.Boolean => (b[0] != 0).ToString(),
                ClrElementType.Int8 => ((sbyte)b[0]).ToString(CultureInfo.InvariantCulture),
                ClrElementType.UInt8 => b[0].ToString(CultureInfo.InvariantCulture),
                ClrElementType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b).ToString(CultureInfo.InvariantCulture),
                ClrElementType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b).ToString(CultureInfo.InvariantCulture),
                ClrElementType.Char => ((int)BinaryPrimitives.ReadUInt16LittleEndian(b)).ToString(CultureInfo.InvariantCulture),
                ClrElementType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b).ToString(CultureInfo.InvariantCulture),
                ClrElementType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b).ToString(CultureInfo.InvariantCulture),
                ClrElementType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b).ToString(CultureInfo.InvariantCulture),
                ClrElementType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(b).ToString(CultureInfo.InvariantCulture),
                ClrElementType.Float => BinaryPrimitives.ReadSingleLittleEndian(b).ToString(CultureInfo.InvariantCulture),
                ClrElementType.Double => BinaryPrimitives.ReadDoubleLittleEndian(b).ToString(CultureInfo.InvariantCulture),
                _ => null,
            };
        }
    }

    /// <summary>What the reader learned about one instance.</summary>
    private sealed class State(ClrObject obj, string kind, string? dumpPath)
    {
        public ClrObject Object { get; } = obj;
        public string Kind { get; } = kind;
        public string? DumpPath { get; } = dumpPath;
        public string? KeyType;
        public string? ValueType;
        public long Count;
        public long Capacity;
        public long FreeCount;
        public long EntryBytes;
        public long ShallowBytes;
        public long LargestOwned;
        public ulong LargestOwnedAddress;
        public long KeySize;
        public long KeyAlignment = 8;
        public bool KeyHoldsReferences;
        public bool ValueHoldsReferences;
        public long? KeyMin;
        public long? KeyMax;
        public bool IsSetLike;
        public string? SetValue;
        public List<string> Problems { get; } = new();

        public void Own(ulong address, ulong size)
        {
            ShallowBytes += (long)size;
            if ((long)size > LargestOwned)
            {
                LargestOwned = (long)size;
                LargestOwnedAddress = address;
            }
        }

        public GcCollectionInfo ToInfo(CollectionReader reader)
        {
            double? density = KeyMin is not null && KeyMax is not null ? Count / ((double)KeyMax.Value - KeyMin.Value + 1) : null;
            bool holdsReferences = KeyHoldsReferences || ValueHoldsReferences;
            return new GcCollectionInfo
            {
                Address = Object.Address,
                Kind = Kind,
                TypeName = Object.Type?.Name ?? "",
                KeyType = KeyType,
                ValueType = ValueType,
                HoldsReferences = holdsReferences,
                Count = Count,
                Capacity = Capacity,
                FreeCount = FreeCount,
                FillRatio = Capacity == 0 ? 0 : (double)Count / Capacity,
                Generation = reader.GenerationOf(LargestOwnedAddress == 0 ? Object.Address : LargestOwnedAddress),
                ShallowBytes = ShallowBytes,
                WastedBytes = Math.Max(0, (Capacity - Count) * EntryBytes),
                RetainedBytes = holdsReferences ? null : ShallowBytes,
                KeyMin = KeyMin,
                KeyMax = KeyMax,
                Density = density,
                IsSetLike = IsSetLike,
                SetValue = SetValue,
                Advice = CollectionAdvisor.Advise(this.Kind, Object.Type?.Name ?? "", Count, ShallowBytes, KeySize, KeyAlignment, KeyMin, KeyMax, IsSetLike, SetValue),
                Problems = Problems.ToArray(),
                DumpPath = DumpPath,
            };
        }
    }
}
