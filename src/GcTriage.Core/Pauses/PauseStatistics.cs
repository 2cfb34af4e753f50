namespace GcTriage.Core;

/// <summary>
/// Summaries of GC pauses (Measure-GcPause). Percentiles use the nearest-rank method: with the N pauses sorted ascending,
/// the p-th percentile is the value at 1-based rank ceil(p/100 * N) (rank 1 at least). It always returns a pause that
/// happened (never an interpolated one), and P100 is the maximum.
/// </summary>
public static class PauseStatistics
{
    /// <summary>Nearest-rank percentile of an ascending-sorted list.</summary>
    public static double Percentile(IReadOnlyList<double> sortedAscending, double percent)
    {
        if (sortedAscending.Count == 0)
        {
            return 0;
        }

        if (percent is < 0 or > 100 || double.IsNaN(percent))
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "a percentile is between 0 and 100");
        }

        int rank = (int)Math.Ceiling(percent / 100.0 * sortedAscending.Count);
        return sortedAscending[Math.Clamp(rank, 1, sortedAscending.Count) - 1];
    }

    /// <summary>
    /// One summary over <paramref name="all"/>. The window is the sum of each GC's interval (end of the previous GC to the end of
    /// this one, recovered from PauseMs and PauseTimePercent), unless <paramref name="windowMs"/> gives it (a live session's length).
    /// GCs that overlapped a capture (<see cref="GcPause.OverlapsCapture"/>: their pause holds the dump's freeze) are left out of
    /// every figure and counted in CapturePausesExcluded, unless <paramref name="includeCapturePauses"/>; their time stays in the window.
    /// </summary>
    public static GcPauseSummary Summarize(IReadOnlyCollection<GcPause> all, string group = "", string? groupBy = null, double? windowMs = null,
        bool includeCapturePauses = false)
    {
        IReadOnlyCollection<GcPause> pauses = includeCapturePauses ? all : all.Where(p => !p.OverlapsCapture).ToList();
        double window = windowMs ?? all.Where(p => p.PauseTimePercent > 0).Sum(p => p.PauseMs * 100.0 / p.PauseTimePercent);
        var sorted = pauses.Select(p => p.PauseMs).OrderBy(x => x).ToArray();
        double total = sorted.Sum();
        var byReason = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (GcPause p in pauses)
        {
            byReason[p.Reason] = byReason.TryGetValue(p.Reason, out int c) ? c + 1 : 1;
        }

        return new GcPauseSummary
        {
            Group = group,
            GroupBy = groupBy,
            Count = sorted.Length,
            P50PauseMs = Percentile(sorted, 50),
            P90PauseMs = Percentile(sorted, 90),
            P99PauseMs = Percentile(sorted, 99),
            MaxPauseMs = sorted.Length == 0 ? 0 : sorted[^1],
            MeanPauseMs = sorted.Length == 0 ? 0 : total / sorted.Length,
            TotalPauseMs = total,
            WindowMs = window,
            PauseTimePercent = window > 0 ? Math.Min(100, total * 100.0 / window) : 0,
            Gen0Count = pauses.Count(p => p.Generation == 0),
            Gen1Count = pauses.Count(p => p.Generation == 1),
            Gen2Count = pauses.Count(p => p.Generation == 2),
            NonConcurrentCount = pauses.Count(p => p.Type == GcPauseType.NonConcurrent),
            BackgroundCount = pauses.Count(p => p.Type == GcPauseType.Background),
            ForegroundCount = pauses.Count(p => p.Type == GcPauseType.Foreground),
            CountByReason = byReason,
            CapturePausesExcluded = all.Count - pauses.Count,
            ProcessId = all.Select(p => p.ProcessId).Distinct().Count() == 1 ? all.First().ProcessId : 0,
        };
    }
}
