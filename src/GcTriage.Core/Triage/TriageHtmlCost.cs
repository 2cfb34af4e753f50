using System.Text;

namespace GcTriage.Core;

/// <summary>
/// The HTML sections of the GC-cost parts (issue 15): fragmentation per generation with a free-share bar and the largest free
/// blocks beside what pins them, GC handles by kind with their pinned targets, and the finalization backlog. Each section lists
/// the findings of its part (made elsewhere; rendered here only).
/// </summary>
public static partial class TriageHtml
{
    private static readonly string[] s_fragmentationCodes = { GcCostFindings.GenerationFragmented, "HeapFragmented" };
    private static readonly string[] s_handleCodes = { GcCostFindings.YoungPinnedHandles, GcCostFindings.ManyStrongHandles };
    private static readonly string[] s_finalizationCodes = { GcCostFindings.FinalizationBacklog };

    /// <summary>The findings list of a part and the sub-headings (the share bars are the leak suspects' ShareBar).</summary>
    private const string CostCss = """
ul.part-findings{padding-left:22px;margin:4px 0 8px}h3{font-size:15px;margin:16px 0 4px}
""";

    internal static void GcCostSections(StringBuilder sb, GcTriageReport report)
    {
        FragmentationSection(sb, report);
        HandleSection(sb, report);
        FinalizationSection(sb, report);
    }

    private static void FragmentationSection(StringBuilder sb, GcTriageReport report)
    {
        if (report.Fragmentation.Count == 0)
        {
            return;
        }

        sb.Append("<section id=\"fragmentation\"><h2>Fragmentation</h2>");
        PartFindings(sb, report, s_fragmentationCodes);
        Table(sb, report.Fragmentation,
            ("Generation", x => E(x.Scope == GcFragmentationScope.Segment ? $"{x.Generation} segment 0x{x.SegmentAddress:x}" : x.Generation.ToString())),
            ("Free share", x => ShareBar(x.FragmentationRatio)),
            ("Free", x => B(x.FreeBytes)),
            ("Free blocks", x => N(x.FreeBlocks)),
            ("Objects", x => B(x.ObjectBytes)),
            ("Pinned objects", x => N(x.PinnedObjects)),
            ("Segments", x => N(x.Segments)));

        var blocks = report.Fragmentation.SelectMany(f => f.LargestFreeBlocks).OrderByDescending(b => b.Size).ToList();
        if (blocks.Count > 0)
        {
            sb.Append("<h3>Largest free blocks and what pins the objects after them</h3>");
            Table(sb, blocks,
                ("Free block", x => "<code>" + Units.Address(x.Address) + "</code> in " + E(x.Generation.ToString())),
                ("Size", x => B(x.Size)),
                ("Pinned next to it", x => x.PinnedNeighbours.Count == 0
                    ? "<span class=\"none\">nothing pinned</span>"
                    : string.Join("<br>", x.PinnedNeighbours.Select(p => E(p.TypeName) + " <code>" + Units.Address(p.Address) + "</code> " + B(p.Size) + " " + E(p.Generation.ToString())))),
                ("Pinned by", x => string.Join("<br>", x.PinnedNeighbours.Select(p => E($"{p.PinnedBy}: {p.Root}")))),
                ("Segment", x => "<code>" + Units.Address(x.SegmentAddress) + "</code>"));
        }

        sb.Append("</section>\n");
    }

    private static void HandleSection(StringBuilder sb, GcTriageReport report)
    {
        if (report.Handles.Count == 0)
        {
            return;
        }

        sb.Append("<section id=\"handles\"><h2>GC handles</h2>");
        PartFindings(sb, report, s_handleCodes);
        sb.Append("<p class=\"none\">By kind over the ").Append(N(report.Handles.Count))
            .Append(" kind and target-type rows with the most target bytes (Get-GcHandle lists them all).</p>");
        var kinds = report.Handles.GroupBy(h => h.Kind).OrderBy(g => g.Key)
            .Select(g => (Kind: g.Key, Count: g.Sum(h => h.Count), Bytes: g.Sum(h => h.TargetBytes), Types: g.Count(),
                Young: g.Sum(h => h.Gen0Count + h.Gen1Count)))
            .ToList();
        Table(sb, kinds,
            ("Kind", x => E(x.Kind.ToString())),
            ("Handles", x => N(x.Count)),
            ("Target bytes", x => B(x.Bytes)),
            ("Target types", x => N(x.Types)),
            ("In gen0/gen1", x => N(x.Young)));

        var pinned = report.Handles.Where(h => h.Kind is GcHandleKind.Pinned or GcHandleKind.AsyncPinned).ToList();
        if (pinned.Count > 0)
        {
            sb.Append("<h3 id=\"pinned-targets\">Pinned targets</h3>");
            HandleTable(sb, pinned);
        }

        sb.Append("<h3>Every handle row</h3>");
        HandleTable(sb, report.Handles);
        sb.Append("</section>\n");
    }

    private static void HandleTable(StringBuilder sb, IEnumerable<GcHandleStat> rows) =>
        Table(sb, rows,
            ("Target type", x => E(x.TypeName)),
            ("Kind", x => E(x.Kind.ToString())),
            ("Handles", x => N(x.Count)),
            ("Target bytes", x => B(x.TargetBytes)),
            ("Gen0", x => N(x.Gen0Count)),
            ("Gen1", x => N(x.Gen1Count)),
            ("Gen2", x => N(x.Gen2Count)),
            ("LOH", x => N(x.LohCount)),
            ("POH", x => N(x.PohCount)));

    private static void FinalizationSection(StringBuilder sb, GcTriageReport report)
    {
        if (report.Finalization is not { } f)
        {
            return;
        }

        sb.Append("<section id=\"finalization\"><h2>Finalization</h2>");
        PartFindings(sb, report, s_finalizationCodes);
        sb.Append("<p>").Append(N(f.ReadyForFinalization)).Append(" objects (").Append(B(f.ReadyBytes))
            .Append(") are ready for finalization and wait for the finalizer thread, of ").Append(N(f.Count)).Append(" finalizable (").Append(B(f.Bytes)).Append(").</p>");
        Table(sb, new[] { f },
            ("Queue", x => E(x.TypeName)),
            ("Finalizable", x => N(x.Count)),
            ("Bytes", x => B(x.Bytes)),
            ("Ready share", x => ShareBar(x.Count == 0 ? 0 : (double)x.ReadyForFinalization / x.Count)),
            ("Ready (backlog)", x => N(x.ReadyForFinalization)),
            ("Ready bytes", x => B(x.ReadyBytes)));
        sb.Append("</section>\n");
    }

    /// <summary>The report's findings with one of <paramref name="codes"/>, as in the Findings list at the top.</summary>
    private static void PartFindings(StringBuilder sb, GcTriageReport report, string[] codes)
    {
        var findings = report.Findings.Where(f => codes.Contains(f.Code)).ToList();
        if (findings.Count == 0)
        {
            return;
        }

        sb.Append("<ul class=\"findings part-findings\">");
        foreach (GcFinding f in findings)
        {
            FindingItem(sb, f);
        }

        sb.Append("</ul>");
    }
}
