using System.Globalization;

namespace GcTriage.Core;

/// <summary>
/// Turns the parts of a report into findings and ranked likely causes, joining the pause evidence with the heap evidence.
/// Every rule reads only what the report has; a part that is missing simply adds nothing.
/// </summary>
public static class TriageAnalyzer
{
    /// <summary>Free space above this share of the heap is a fragmentation finding.</summary>
    public const double FragmentationRatio = 0.25;
    /// <summary>One type holding at least this share of the heap is named as a cause.</summary>
    public const double DominantTypeRatio = 0.30;

    public static void Analyze(GcTriageReport report, IEnumerable<GcFinding> settingFindings, IEnumerable<Cause> extraCauses)
    {
        var findings = new List<GcFinding>(settingFindings);
        var causes = new List<Cause>(extraCauses);

        if (report.HeapBytes is long heap && heap > 0)
        {
            long free = report.FreeBytes ?? 0;
            if (free >= heap * FragmentationRatio)
            {
                string text = $"{Pct(free, heap)} of the heap ({Bytes(free)} of {Bytes(heap)}) is free space: the heap is fragmented (pinning, or LOH allocations that are not compacted).";
                findings.Add(new GcFinding { Severity = GcFindingSeverity.Warning, Code = "HeapFragmented", Message = text });
                causes.Add(new Cause(GcFindingSeverity.Warning, "HeapFragmented", text, free, 40));
            }

            GcTypeStat? top = report.TopTypes.FirstOrDefault();
            if (top is not null && top.TotalSize >= (heap - free) * DominantTypeRatio)
            {
                string where = top.LohSize >= top.TotalSize / 2 ? ", mostly on the LOH" : top.Gen2Size >= top.TotalSize / 2 ? ", mostly in gen2" : "";
                string text = $"{top.TypeName} holds {Pct(top.TotalSize, heap - free)} of the objects' bytes ({Bytes(top.TotalSize)} in {top.Count.ToString("N0", CultureInfo.InvariantCulture)} objects{where}).";
                findings.Add(new GcFinding { Severity = GcFindingSeverity.Info, Code = "DominantType", Message = text });
                causes.Add(new Cause(GcFindingSeverity.Info, "DominantType", text, top.TotalSize, 20));
            }
        }

        report.Findings = findings
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => f.Code, StringComparer.Ordinal)
            .ToList();

        int rank = 0;
        report.LikelyCauses = causes
            .OrderByDescending(c => c.Severity)
            .ThenByDescending(c => c.Weight)
            .ThenByDescending(c => c.Bytes ?? 0)
            .Select(c => new GcLikelyCause { Rank = ++rank, Severity = c.Severity, Code = c.Code, Text = c.Text, Bytes = c.Bytes })
            .ToList();
    }

    /// <summary>A candidate cause before ranking: severity first, then weight (how strongly it explains pauses), then bytes.</summary>
    public sealed record Cause(GcFindingSeverity Severity, string Code, string Text, long? Bytes, int Weight);

    internal static string Bytes(long bytes)
    {
        double b = Math.Abs((double)bytes);
        string sign = bytes < 0 ? "-" : "";
        return b switch
        {
            < 1024 => sign + b.ToString("0", CultureInfo.InvariantCulture) + " B",
            < 1024 * 1024 => sign + (b / 1024).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
            < 1024L * 1024 * 1024 => sign + (b / 1024 / 1024).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
            _ => sign + (b / 1024 / 1024 / 1024).ToString("0.##", CultureInfo.InvariantCulture) + " GB",
        };
    }

    internal static string Pct(long part, long whole) =>
        whole <= 0 ? "0 %" : (100.0 * part / whole).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    /// <summary>A count with thousands separators: 12,345.</summary>
    internal static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    internal static string Ms(double ms) => ms.ToString(ms < 10 ? "0.##" : "0", CultureInfo.InvariantCulture) + " ms";
}
