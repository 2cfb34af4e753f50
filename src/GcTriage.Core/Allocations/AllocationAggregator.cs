using System.Globalization;
using System.Text;

namespace GcTriage.Core;

/// <summary>
/// Sums allocation ticks per (type, heap kind) and, with stacks, per folded stack. Not thread-safe: fed by one event thread.
/// </summary>
public sealed class AllocationAggregator
{
    private readonly Dictionary<(string Type, ulong TypeId, GcAllocationKind Kind), Entry> _byType = new();
    private readonly Dictionary<(string Stack, string Type, ulong TypeId), long> _folded = new();

    private double _firstMs = double.NaN;
    private double _lastMs;

    public long TotalSamples { get; private set; }
    public long TotalBytes { get; private set; }

    /// <summary>The process the ticks came from (the first non-zero id seen, or the one given at the start).</summary>
    public int ProcessId { get; set; }

    /// <summary>Seconds from the first tick to the last.</summary>
    public double DurationSeconds => double.IsNaN(_firstMs) ? 0 : (_lastMs - _firstMs) / 1000.0;

    /// <summary>Records when a tick happened and which process raised it (for DurationSeconds and ProcessId).</summary>
    public void Observe(double timestampMs, int processId)
    {
        if (double.IsNaN(_firstMs))
        {
            _firstMs = timestampMs;
        }

        _lastMs = timestampMs;
        if (ProcessId == 0 && processId > 0)
        {
            ProcessId = processId;
        }
    }

    /// <summary>The type ids (MethodTables) the ticks named, to resolve their names (AllocationTypeNames.ResolveLive).</summary>
    public IEnumerable<ulong> TypeIds => _byType.Keys.Select(k => k.TypeId).Where(id => id != 0).Distinct();

    /// <param name="typeName">The tick's type name, as the runtime wrote it.</param>
    /// <param name="typeId">The tick's type id (the type's MethodTable; 0 when the event has none).</param>
    /// <param name="frames">Managed frames, innermost first, already named; null without stacks.</param>
    public void Add(string typeName, ulong typeId, GcAllocationKind kind, long amount, IReadOnlyList<string>? frames)
    {
        if (string.IsNullOrEmpty(typeName))
        {
            typeName = "<unknown type>";
        }

        TotalSamples++;
        TotalBytes += amount;
        var key = (typeName, typeId, kind);
        if (!_byType.TryGetValue(key, out Entry? entry))
        {
            entry = new Entry();
            _byType[key] = entry;
        }

        entry.Samples++;
        entry.Bytes += amount;
        if (frames is not null && frames.Count > 0)
        {
            // Folded line: root first, the allocated type as the leaf (named when written), weight = estimated bytes.
            var sb = new StringBuilder();
            for (int i = frames.Count - 1; i >= 0; i--)
            {
                sb.Append(Clean(frames[i])).Append(';');
            }

            var line = (sb.ToString(), typeName, typeId);
            _folded[line] = _folded.TryGetValue(line, out long w) ? w + amount : amount;

            string stackKey = string.Join('\n', frames.Take(TopFrameCount));
            entry.Stacks[stackKey] = entry.Stacks.TryGetValue(stackKey, out long sw) ? sw + amount : amount;
        }
    }

    /// <summary>How many innermost frames TopFrames holds.</summary>
    public const int TopFrameCount = 8;

    /// <summary>
    /// One row per (type, kind), by EstimatedBytes descending; top <paramref name="top"/> when given. Types are named by
    /// <paramref name="names"/> (type id to the heap commands' name, from AllocationTypeNames.ResolveLive) or else by the tick's
    /// name in the heap commands' style (AllocationTypeNames.Normalize); ticks that come to the same name are one row.
    /// </summary>
    public List<GcAllocationStat> Results(int processId, double durationSeconds, double sampledSeconds, int? top, IReadOnlyDictionary<ulong, string>? names = null)
    {
        sampledSeconds = Math.Round(sampledSeconds, 3); // BytesPerSecond is exactly EstimatedBytes / SampledSeconds as shown
        var merged = new Dictionary<(string Type, GcAllocationKind Kind), Entry>();
        foreach (var kv in _byType)
        {
            var key = (Name(kv.Key.Type, kv.Key.TypeId, names), kv.Key.Kind);
            if (!merged.TryGetValue(key, out Entry? e))
            {
                merged[key] = e = new Entry();
            }

            e.Samples += kv.Value.Samples;
            e.Bytes += kv.Value.Bytes;
            foreach (var st in kv.Value.Stacks)
            {
                e.Stacks[st.Key] = e.Stacks.TryGetValue(st.Key, out long w) ? w + st.Value : st.Value;
            }
        }

        var rows = merged
            .OrderByDescending(kv => kv.Value.Bytes)
            .ThenBy(kv => kv.Key.Type, StringComparer.Ordinal)
            .Select(kv => new GcAllocationStat
            {
                TypeName = kv.Key.Type,
                Kind = kv.Key.Kind,
                SampleCount = kv.Value.Samples,
                EstimatedBytes = kv.Value.Bytes,
                Percent = TotalBytes == 0 ? 0 : Math.Round(100.0 * kv.Value.Bytes / TotalBytes, 2),
                TopFrames = kv.Value.Stacks.Count == 0
                    ? Array.Empty<string>()
                    : kv.Value.Stacks.MaxBy(s => s.Value).Key.Split('\n'),
                ProcessId = processId,
                DurationSeconds = Math.Round(durationSeconds, 3),
                SampledSeconds = sampledSeconds,
                BytesPerSecond = sampledSeconds > 0 ? Math.Round(kv.Value.Bytes / sampledSeconds, 0) : 0,
            });
        return (top is int t and > 0 ? rows.Take(t) : rows).ToList();
    }

    /// <summary>Writes the folded stacks ("frame;frame;...;[Type] bytes", root first), heaviest first; types named as in <see cref="Results"/>.</summary>
    public int WriteFolded(TextWriter writer, IReadOnlyDictionary<ulong, string>? names = null)
    {
        var folded = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var kv in _folded)
        {
            string line = kv.Key.Stack + "[" + Clean(Name(kv.Key.Type, kv.Key.TypeId, names)) + "]";
            folded[line] = folded.TryGetValue(line, out long w) ? w + kv.Value : kv.Value;
        }

        int lines = 0;
        foreach (var kv in folded.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.Write(kv.Key);
            writer.Write(' ');
            writer.WriteLine(kv.Value.ToString(CultureInfo.InvariantCulture));
            lines++;
        }

        return lines;
    }

    public bool HasStacks => _folded.Count > 0;

    private static string Name(string tickName, ulong typeId, IReadOnlyDictionary<ulong, string>? names) =>
        typeId != 0 && names is not null && names.TryGetValue(typeId, out string? name) ? name : AllocationTypeNames.Normalize(tickName);

    private static string Clean(string frame) => frame.Replace(';', ':').Replace('\n', ' ').Replace('\r', ' ');

    private sealed class Entry
    {
        public long Samples;
        public long Bytes;
        public readonly Dictionary<string, long> Stacks = new(StringComparer.Ordinal);
    }
}
