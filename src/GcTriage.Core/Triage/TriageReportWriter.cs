using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GcTriage.Core;

/// <summary>Writes a report's files: one CSV per table, report.json and the self-contained report.html, all owner-only.</summary>
public static class TriageReportWriter
{
    // camelCase names, enums as text, culture-invariant numbers; "schemaVersion" first. Immutable once made.
    private static readonly JsonSerializerOptions s_jsonOptions = CreateOptions(html: false);
    private static readonly JsonSerializerOptions s_htmlJsonOptions = CreateOptions(html: true);

    private static JsonSerializerOptions CreateOptions(bool html)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = !html,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            // report.json is readable text; inside the page the default encoder escapes < > & ' + so nothing can close the script.
            Encoder = html ? System.Text.Encodings.Web.JavaScriptEncoder.Default : System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new JsonStringEnumConverter() },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static void Write(GcTriageReport report, ReportDirectory folder)
    {
        var files = new List<GcTriageFile>();
        var tables = TriageTables.For(report);
        foreach (TriageTables.Table table in tables)
        {
            string path = folder.FilePath(table.Name + ".csv");
            files.Add(new GcTriageFile { Name = table.Name, Path = path });
        }

        files.Add(new GcTriageFile { Name = "schema.json", Path = folder.FilePath("schema.json") });
        files.Add(new GcTriageFile { Name = "report.json", Path = folder.FilePath("report.json") });
        files.Add(new GcTriageFile { Name = "report.html", Path = folder.FilePath("report.html") });
        report.Files = files;

        foreach (TriageTables.Table table in tables)
        {
            using OwnerOnlyFileStream stream = folder.Create(table.Name + ".csv");
            table.Write(stream);
        }

        // The CSVs are plain (no comment line); their schema version is here and in report.json.
        var schema = new { schemaVersion = GcTriageSchema.Version, csv = tables.Select(t => t.Name + ".csv").ToArray() };
        WriteText(folder, "schema.json", JsonSerializer.Serialize(schema, s_jsonOptions));
        WriteText(folder, "report.json", ToJson(report));
        WriteText(folder, "report.html", TriageHtml.Render(report, JsonSerializer.Serialize(report, s_htmlJsonOptions)));
    }

    public static string ToJson(GcTriageReport report) => JsonSerializer.Serialize(report, s_jsonOptions);

    private static void WriteText(ReportDirectory folder, string name, string text)
    {
        using OwnerOnlyFileStream stream = folder.Create(name);
        byte[] bytes = new UTF8Encoding(false).GetBytes(text);
        stream.Write(bytes);
    }
}

/// <summary>The tables of a report, each written as one CSV; a table is there only when its part is.</summary>
internal static class TriageTables
{
    public sealed record Table(string Name, Action<Stream> Write);

    public static List<Table> For(GcTriageReport report)
    {
        var tables = new List<Table>
        {
            new("findings", p => CsvTableWriter.Write(p, report.Findings)),
            new("likely-causes", p => CsvTableWriter.Write(p, report.LikelyCauses)),
            new("errors", p => CsvTableWriter.Write(p, report.Errors)),
        };
        if (report.TopTypes.Count > 0)
        {
            tables.Add(new("types", p => CsvTableWriter.Write(p, report.TopTypes)));
        }

        TriagePartTables.Add(report, tables);
        TriageCostTables.Add(report, tables);
        return tables;
    }
}
