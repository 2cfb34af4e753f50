using System.Globalization;
using System.Text;

namespace GcTriage.Core;

/// <summary>The HTML sections of the optional parts: pauses and settings before the top types; leak suspects, collections, bitsets and roots after.</summary>
public static partial class TriageHtml
{
    /// <summary>GCs that ran while the module had the process frozen for a capture: listed apart, out of the figures above.</summary>
    private static void CapturePauses(StringBuilder sb, GcTriageReport report)
    {
        var during = report.Pauses.Where(p => p.OverlapsCapture).ToList();
        if (during.Count == 0)
        {
            return;
        }

        sb.Append("<h3 id=\"capture-pauses\">GCs during a capture</h3><p>");
        sb.Append(E($"{during.Count} GC(s) ran while the process was frozen for a dump: their pauses hold the freeze, so the figures above leave them out."));
        sb.Append("</p>");
        Table(sb, during,
            ("GC", x => N(x.Number)),
            ("Gen", x => N(x.Generation)),
            ("Pause", x => Ms(x.PauseMs)),
            ("Capture", x => E(x.OverlappedCapture)));
    }

    static partial void PartSections(StringBuilder sb, GcTriageReport report, bool beforeTypes)
    {
        if (beforeTypes)
        {
            if (report.PauseSummary is { } s)
            {
                sb.Append("<section id=\"pauses\"><h2>GC pauses</h2>");
                Table(sb, new[] { s }.Concat(report.PauseSummaryByGeneration),
                    ("Group", x => x.Group.Length == 0 ? "all" : "gen" + E(x.Group)),
                    ("GCs", x => N(x.Count)),
                    ("P50", x => Ms(x.P50PauseMs)),
                    ("P90", x => Ms(x.P90PauseMs)),
                    ("P99", x => Ms(x.P99PauseMs)),
                    ("Max", x => Ms(x.MaxPauseMs)),
                    ("Total", x => Ms(x.TotalPauseMs)),
                    ("% paused", x => x.PauseTimePercent.ToString("0.00", CultureInfo.InvariantCulture)));
                CapturePauses(sb, report);
                if (report.Pauses.Count > 0)
                {
                    sb.Append("<h3>Pauses over time, by generation</h3>");
                    Chart(sb, "chart-pauses-time", 12);
                    sb.Append("<h3>Pause distribution</h3>");
                    Chart(sb, "chart-pauses-distribution", 10);
                }

                sb.Append("</section>\n");
            }

            if (report.Settings is { } settings)
            {
                sb.Append("<section id=\"settings\"><h2>GC settings</h2><p>");
                sb.Append(E($"{settings.GcMode} GC, {settings.HeapCount?.ToString(CultureInfo.InvariantCulture) ?? "?"} heap(s), concurrent {settings.Concurrent?.ToString() ?? "?"}"));
                if (settings.CpuQuota is double q)
                {
                    sb.Append(E($", CPU quota {q.ToString("0.##", CultureInfo.InvariantCulture)}"));
                }

                if (settings.MemoryLimitBytes is long m)
                {
                    sb.Append(", memory limit ").Append(B(m));
                }

                sb.Append("</p>");
                if (settings.Effective.Count > 0)
                {
                    // The same rows as Get-GcSetting's Effective: configured and running values side by side.
                    Table(sb, settings.Effective,
                        ("Setting", x => E(x.Name)),
                        ("Configured", x => x.Configured is null ? "<i>default</i>" : E(x.Configured)),
                        ("Configured by", x => E(x.ConfiguredBy)),
                        ("Effective", x => x.Differs ? "<b>" + E(x.Effective) + "</b>" : E(x.Effective)),
                        ("Source", x => E(x.EffectiveSource.ToString())),
                        ("Why", x => E(x.Why)));
                }

                if (settings.RuntimeFlags is GcSettingFlags flags)
                {
                    sb.Append("<p>").Append(E($"GC settings bits (GCSettingsRundown): {flags}")).Append("</p>");
                }

                if (settings.Settings.Count > 0)
                {
                    sb.Append("<h3>Knobs found</h3>");
                    Table(sb, settings.Settings, ("Name", x => E(x.Name)), ("Value", x => E(x.Value)), ("Source", x => E(x.Source.ToString())), ("Origin", x => E(x.Origin)));
                }

                sb.Append("</section>\n");
            }

            return;
        }

        if (report.LeakSuspects.Count > 0)
        {
            sb.Append("<section id=\"leak-suspects\"><h2>Leak suspects</h2>");
            Table(sb, report.LeakSuspects,
                ("Share of the heap", x => ShareBar(x.ShareOfHeap)),
                ("Suspect", x => E(x.TypeName) + " <code>" + Units.Address(x.Address) + "</code>"
                    + (x.Kind == GcLeakSuspectKind.TypeGroup ? " (" + N(x.InstanceCount) + " instances)" : "")),
                ("Retained", x => B(x.RetainedBytes) + " in " + N(x.RetainedCount) + " objects"),
                ("Accumulation point", x => x.AccumulationPointAddress is ulong a
                    ? E(x.AccumulationPointType) + " <code>" + Units.Address(a) + "</code> " + B(x.AccumulationPointRetainedBytes ?? 0)
                    : x.Kind == GcLeakSuspectKind.TypeGroup ? "" : "none (a chain with no single point)"),
                ("Path from the root", x => E(x.RootPath)));
            sb.Append("</section>\n");
        }

        if (report.Collections.Count > 0)
        {
            sb.Append("<section id=\"top-collections\"><h2>Top collections</h2>");
            Chart(sb, "chart-collections", Math.Min(report.Collections.Count, 15));
            Table(sb, report.Collections,
                ("Collection", x => E(x.TypeName) + " <code>" + Units.Address(x.Address) + "</code>"),
                ("Count", x => N(x.Count)),
                ("Capacity", x => N(x.Capacity)),
                ("Bytes", x => B(x.ShallowBytes)),
                ("Gen", x => E(x.Generation.ToString())),
                ("Advice", x => E(x.Advice?.Recommendation)));
            sb.Append("</section>\n");
        }

        if (report.RootPaths.Count > 0)
        {
            sb.Append("<section id=\"roots\"><h2>Why the largest collections are alive</h2>");
            Table(sb, report.RootPaths, ("Object", x => E(x.TypeName)), ("Root", x => E($"{x.RootKind} {x.RootName}")), ("Path", x => E(x.Path)));
            sb.Append("</section>\n");
        }

        if (report.Bitsets.Count > 0)
        {
            sb.Append("<section id=\"bitsets\"><h2>Bit fields</h2>");
            Table(sb, report.Bitsets,
                ("Type", x => E(x.TypeName)),
                ("Bits", x => N(x.LengthBits)),
                ("Set", x => N(x.SetBits)),
                ("Bytes", x => B(x.Bytes)),
                ("As BitArray", x => B(x.BitArrayBytes)),
                ("Gen", x => E(x.Generation.ToString())));
            sb.Append("</section>\n");
        }
    }

    /// <summary>The share as a bar and a number; the width is a whole percentage, so nothing from the dump reaches the style.</summary>
    private static string ShareBar(double share)
    {
        int percent = (int)Math.Round(Math.Clamp(share, 0, 1) * 100);
        return "<div class=\"share\"><div class=\"share-fill\" style=\"width:" + percent.ToString(CultureInfo.InvariantCulture) + "%\"></div></div> "
            + (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
    }
}
