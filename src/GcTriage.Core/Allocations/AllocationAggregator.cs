using System.Globalization;
using System.Text;

namespace GcTriage.Core;

/// <summary>
/// Sums allocation ticks per (type, heap kind) and, with stacks, per folded stack. Not thread-safe: fed by one event thread.
/// </summary>
public sealed class AllocationAggregator
{
    private readonly Dictionary<(string Type, GcAllocationKind Kind), Entry> _byType = new();
    private readonly Dictionary<string, long> _folded = new(StringComparer.Ordinal);

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

    /// <param name="frames">Managed frames, innermost first, already named; null without stacks.</param>
    public void Add(string typeName, GcAllocationKind kind, long amount, IReadOnlyList<string>? frames)
    {
        if (string.IsNullOrEmpty(typeName))
        {
            typeName = "<unknown type>";
        }

        TotalSamples++;
        TotalBytes += amount;
        var key = (typeName, kind);
        if (!_byType.TryGetValue(key, out Entry? entry))
        {
            entry = new Entry();
            _byType[key] = entry;
        }

        entry.Samples++;
        entry.Bytes += amount;
        if (frames is not null && frames.Count > 0)
        {
            // Folded line: root first, the allocated type as the leaf, weight = estimated bytes.
            var sb = new StringBuilder();
            for (int i = frames.Count - 1; i >= 0; i--)
            {
                sb.Append(Clean(frames[i])).Append(';');
            }

            sb.Append('[').Append(Clean(typeName)).Append(']');
            string line = sb.ToString();
            _folded[line] = _folded.TryGetValue(line, out long w) ? w + amount : amount;

            string stackKey = string.Join('\n', frames.Take(TopFrameCount));
            entry.Stacks[stackKey] = entry.Stacks.TryGetValue(stackKey, out long sw) ? sw + amount : amount;
        }
    }

    /// <summary>How many innermost frames TopFrames holds.</summary>
    public const int TopFrameCount = 8;

    /// <summary>One row per (type, kind), by EstimatedBytes descending; top <paramref name="top"/> when given.</summary>
    public List<GcAllocationStat> Results(int processId, double durationSeconds, double sampledSeconds, int? top)
    {
        sampledSeconds = Math.Round(sampledSeconds, 3); // BytesPerSecond is exactly EstimatedBytes / SampledSeconds as shown
        var rows = _byType
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

    /// <summary>Writes the folded stacks ("frame;frame;...;[Type] bytes", root first), heaviest first.</summary>
    public int WriteFolded(TextWriter writer)
    {
        int lines = 0;
        foreach (var kv in _folded.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.Write(kv.Key);
            writer.Write(' ');
            writer.WriteLine(kv.Value.ToString(CultureInfo.InvariantCulture));
            lines++;
        }

        return lines;
    }

    public bool HasStacks => _folded.Count > 0;

    private static string Clean(string frame) => frame.Replace(';', ':').Replace('\n', ' ').Replace('\r', ' ');

    private sealed class Entry
    {
        public long Samples;
        public long Bytes;
        public readonly Dictionary<string, long> Stacks = new(StringComparer.Ordinal);
    }
}
