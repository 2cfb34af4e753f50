using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace GcTriage.Core;

/// <summary>
/// report.html: one self-contained file that opens on an offline jump host. Findings and likely causes come first, then the
/// charts and tables. Tables are rendered here (readable without script); charts are drawn in the page by Chart.js, whose
/// minified build (MIT, module/report/) is inlined, from the report's JSON inlined beside it. A Content-Security-Policy allows
/// no network access at all.
/// </summary>
public static partial class TriageHtml
{
    public const string ChartResource = "GcTriage.Core.Report.chart.umd.min.js";

    public static string Render(GcTriageReport report, string json)
    {
        var sb = new StringBuilder(512 * 1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<meta name=\"gctriage-schema-version\" content=\"").Append(E(report.SchemaVersion)).Append("\">\n");
        sb.Append("<title>GC triage: ").Append(E(report.Target)).Append("</title>\n<style>").Append(Css).Append(CostCss).Append("</style>\n</head>\n<body>\n");

        sb.Append("<header><h1>GC triage: ").Append(E(report.Target)).Append("</h1><p class=\"meta\">");
        Meta(sb, "Host", report.HostName);
        Meta(sb, "Started", report.StartedAt.ToString("u", CultureInfo.InvariantCulture));
        Meta(sb, "Ended", report.EndedAt.ToString("u", CultureInfo.InvariantCulture));
        Meta(sb, "Runtime", report.RuntimeVersion);
        Meta(sb, "GC", report.GcMode is null ? null : $"{report.GcMode}, {report.HeapCount} heap(s)");
        Meta(sb, "Heap", report.HeapBytes is long h ? $"{TriageAnalyzer.Bytes(h)} in {report.ObjectCount?.ToString("N0", CultureInfo.InvariantCulture)} objects, {TriageAnalyzer.Bytes(report.FreeBytes ?? 0)} free" : null);
        Meta(sb, "Dump", report.DumpPath);
        Meta(sb, "Capture", report.CaptureStatus);
        Meta(sb, "Schema", report.SchemaVersion);
        Meta(sb, "GcTriage", report.ToolVersion);
        sb.Append("</p></header>\n");

        sb.Append("<section id=\"findings\"><h2>Findings</h2>");
        if (report.Findings.Count == 0)
        {
            sb.Append("<p class=\"none\">No findings.</p>");
        }
        else
        {
            sb.Append("<ul class=\"findings\">");
            foreach (GcFinding f in report.Findings)
            {
                FindingItem(sb, f);
            }

            sb.Append("</ul>");
        }

        sb.Append("</section>\n<section id=\"likely-causes\"><h2>Likely causes</h2>");
        if (report.LikelyCauses.Count == 0)
        {
            sb.Append("<p class=\"none\">Nothing stands out.</p>");
        }
        else
        {
            sb.Append("<ol class=\"causes\">");
            foreach (GcLikelyCause c in report.LikelyCauses)
            {
                sb.Append("<li class=\"sev-").Append(c.Severity.ToString().ToLowerInvariant()).Append("\">").Append(E(c.Text)).Append("</li>");
            }

            sb.Append("</ol>");
        }

        sb.Append("</section>\n");
        if (report.Errors.Count > 0)
        {
            sb.Append("<section id=\"errors\"><h2>What could not be read</h2><ul>");
            foreach (GcTriageError e in report.Errors)
            {
                sb.Append("<li><b>").Append(E(e.Part)).Append("</b> <code>").Append(E(e.ErrorId)).Append("</code> ").Append(E(e.Message)).Append("</li>");
            }

            sb.Append("</ul></section>\n");
        }

        PartSectionsBeforeTypes(sb, report);

        if (report.TopTypes.Count > 0)
        {
            sb.Append("<section id=\"top-types\"><h2>Top types</h2>");
            Chart(sb, "chart-types", Math.Min(report.TopTypes.Count, 15));
            Table(sb, report.TopTypes,
                ("Type", t => E(t.TypeName)),
                ("Count", t => N(t.Count)),
                ("Total", t => B(t.TotalSize)),
                ("Gen0", t => B(t.Gen0Size)),
                ("Gen1", t => B(t.Gen1Size)),
                ("Gen2", t => B(t.Gen2Size)),
                ("LOH", t => B(t.LohSize)),
                ("POH", t => B(t.PohSize)));
            sb.Append("</section>\n");
        }

        PartSectionsAfterTypes(sb, report);
        GcCostSections(sb, report);

        sb.Append("<footer>Files beside this report: ");
        sb.AppendJoin(", ", report.Files.Select(f => E(System.IO.Path.GetFileName(f.Path))));
        sb.Append(".</footer>\n");

        sb.Append("<script type=\"application/json\" id=\"gctriage-data\">").Append(json).Append("</script>\n");
        string? chartJs = ChartLibrary();
        if (chartJs is not null)
        {
            sb.Append("<script>").Append(chartJs).Append("</script>\n");
        }

        sb.Append("<script>").Append(Script).Append("</script>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>Chart.js, from the assembly (vendored under module/report with its licence); null when it is missing.</summary>
    public static string? ChartLibrary()
    {
        using Stream? s = typeof(TriageHtml).Assembly.GetManifestResourceStream(ChartResource);
        if (s is null)
        {
            return null;
        }

        using var reader = new StreamReader(s, Encoding.UTF8);
        string text = reader.ReadToEnd();
        // No source map: the page must not ask for anything.
        int map = text.LastIndexOf("//# sourceMappingURL=", StringComparison.Ordinal);
        if (map >= 0)
        {
            text = text[..map];
        }

        return text.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }

    static partial void PartSections(StringBuilder sb, GcTriageReport report, bool beforeTypes);

    private static void PartSectionsBeforeTypes(StringBuilder sb, GcTriageReport report) => PartSections(sb, report, true);

    private static void PartSectionsAfterTypes(StringBuilder sb, GcTriageReport report) => PartSections(sb, report, false);

    internal static void Chart(StringBuilder sb, string id, int rows)
    {
        int height = Math.Clamp(40 + 22 * rows, 160, 420);
        sb.Append("<div class=\"chart\" style=\"height:").Append(height.ToString(CultureInfo.InvariantCulture)).Append("px\"><canvas id=\"")
            .Append(id).Append("\" role=\"img\"></canvas></div>");
    }

    internal static void Table<T>(StringBuilder sb, IEnumerable<T> rows, params (string Header, Func<T, string> Cell)[] columns)
    {
        // Numbers (counts, sizes, times, percentages) align right under a right-aligned header; a column with any text aligns
        // left, header included. Decided per column from its cells, so that a numeric last column ("% paused") lines up too.
        var cells = rows.Select(r => columns.Select(c => c.Cell(r)).ToArray()).ToList();
        var text = new bool[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            text[i] = i == 0 || cells.Any(r => !IsNumberCell(r[i]));
        }

        sb.Append("<table><thead><tr>");
        for (int i = 0; i < columns.Length; i++)
        {
            sb.Append(text[i] ? "<th class=\"t\">" : "<th>").Append(E(columns[i].Header)).Append("</th>");
        }

        sb.Append("</tr></thead><tbody>");
        foreach (string[] row in cells)
        {
            sb.Append("<tr>");
            for (int i = 0; i < columns.Length; i++)
            {
                sb.Append(text[i] ? "<td class=\"t\">" : "<td>").Append(row[i]).Append("</td>");
            }

            sb.Append("</tr>");
        }

        sb.Append("</tbody></table>");
    }

    /// <summary>A cell that shows a number: digits with an optional unit (1,024 / 3.5 ms / 12.0 MB / 4.25), markup aside.</summary>
    internal static bool IsNumberCell(string html) =>
        NumberCell().IsMatch(System.Text.RegularExpressions.Regex.Replace(html, "<[^>]*>", "").Trim());

    [System.Text.RegularExpressions.GeneratedRegex(@"^(-?[\d.,]+( ?(%|B|KB|MB|GB|TB|ms|s|µs))?)?$")]
    private static partial System.Text.RegularExpressions.Regex NumberCell();

    /// <summary>One finding as a list item: its severity, code and message.</summary>
    internal static void FindingItem(StringBuilder sb, GcFinding f) =>
        sb.Append("<li class=\"sev-").Append(f.Severity.ToString().ToLowerInvariant()).Append("\"><span class=\"sev\">").Append(E(f.Severity.ToString()))
            .Append("</span> <code>").Append(E(f.Code)).Append("</code> ").Append(E(f.Message)).Append("</li>");

    private static void Meta(StringBuilder sb, string label, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            sb.Append("<span><b>").Append(E(label)).Append(":</b> ").Append(E(value)).Append("</span> ");
        }
    }

    internal static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    internal static string N(long n) => TriageAnalyzer.N(n);

    internal static string B(long bytes) => "<span title=\"" + bytes.ToString(CultureInfo.InvariantCulture) + " bytes\">" + TriageAnalyzer.Bytes(bytes) + "</span>";

    internal static string Ms(double ms) => TriageAnalyzer.Ms(ms);

    private const string Css = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1d1d1f;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta span{display:inline-block;margin-right:14px;color:#444}
ul.findings,ol.causes{padding-left:22px}ul.findings li,ol.causes li{margin:4px 0}
.sev{font-weight:600;display:inline-block;min-width:64px}
.sev-critical{color:#b00020}.sev-warning{color:#a15c00}.sev-info{color:#1d4e89}
.share{display:inline-block;width:90px;height:10px;background:#eee;border-radius:2px;vertical-align:middle}.share-fill{height:100%;background:#b00020;border-radius:2px}
.none{color:#666}code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f4f4f6;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{white-space:normal;overflow-wrap:anywhere;min-width:18em}
td{max-width:40em;overflow-wrap:anywhere}th.t,td.t{text-align:left;white-space:normal}th{background:#fafafa;position:sticky;top:0}
.chart{position:relative;width:100%;margin:8px 0 12px}footer{margin-top:32px;color:#666;font-size:12px}
""";

    private const string Script = """
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('gctriage-data').textContent);
  var drawn = 0;
  document.body.setAttribute('data-charts-drawn', '0');
  if (typeof Chart === 'undefined') { return; }
  Chart.defaults.animation = false;
  Chart.defaults.font.size = 11;
  var colors = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];
  function mb(b) { return Math.round(b / 10485.76) / 100; }
  function shorten(s) { return s.length > 70 ? s.slice(0, 33) + '…' + s.slice(-34) : s; }
  function draw(id, config) {
    var el = document.getElementById(id);
    if (!el) { return; }
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options || {});
    new Chart(el, config);
    drawn++;
  }
  function hbar(id, labels, datasets, title) {
    draw(id, { type: 'bar', data: { labels: labels, datasets: datasets },
      options: { indexAxis: 'y', plugins: { legend: { display: datasets.length > 1 } },
        scales: { x: { title: { display: true, text: title }, beginAtZero: true } } } });
  }
  var types = (data.topTypes || []).slice(0, 15);
  if (types.length) {
    hbar('chart-types', types.map(function (t) { return shorten(t.typeName); }),
      [{ label: 'MB', data: types.map(function (t) { return mb(t.totalSize); }), backgroundColor: colors[0] }], 'MB');
  }
  var cols = (data.collections || []).slice(0, 15);
  if (cols.length) {
    var ds = [{ label: 'Shallow MB', data: cols.map(function (c) { return mb(c.shallowBytes); }), backgroundColor: colors[0] }];
    if (cols.some(function (c) { return c.retainedBytes != null; })) {
      ds.push({ label: 'Retained MB', data: cols.map(function (c) { return mb(c.retainedBytes || 0); }), backgroundColor: colors[1] });
    }
    hbar('chart-collections', cols.map(function (c) { return shorten(c.typeName) + ' (' + c.count + ')'; }), ds, 'MB');
  }
  var pauses = data.pauses || [];
  if (pauses.length) {
    var t0 = Math.min.apply(null, pauses.map(function (p) { return Date.parse(p.timestamp); }));
    var gens = [0, 1, 2];
    draw('chart-pauses-time', { type: 'scatter',
      data: { datasets: gens.map(function (g) {
        return { label: 'gen' + g, backgroundColor: colors[[4, 1, 2][g]], pointRadius: 3,
          data: pauses.filter(function (p) { return p.generation === g; })
            .map(function (p) { return { x: (Date.parse(p.timestamp) - t0) / 1000, y: p.pauseMs }; }) };
      }) },
      options: { scales: { x: { title: { display: true, text: 'seconds' } }, y: { title: { display: true, text: 'pause ms' }, beginAtZero: true } } } });
    var edges = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
    var labels = edges.map(function (e, i) { return i + 1 < edges.length ? e + '-' + edges[i + 1] + ' ms' : '≥' + e + ' ms'; });
    function bucket(ms) { for (var i = edges.length - 1; i >= 0; i--) { if (ms >= edges[i]) { return i; } } return 0; }
    draw('chart-pauses-distribution', { type: 'bar',
      data: { labels: labels, datasets: gens.map(function (g) {
        var counts = edges.map(function () { return 0; });
        pauses.forEach(function (p) { if (p.generation === g) { counts[bucket(p.pauseMs)]++; } });
        return { label: 'gen' + g, data: counts, backgroundColor: colors[[4, 1, 2][g]] };
      }) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'GCs' } } } } });
  }
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
""";
}
