using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GcTriage.Core;

/// <summary>Writes a report's files: one CSV per table, report.json and the self-contained report.html, all owner-only.</summary>
public static class TriageReportWriter
{
    /// <summary>camelCase names, enums as text, culture-invariant numbers; "schemaVersion" first.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Write(GcTriageReport report, ReportDirectory folder)
    {
        var files = new List<GcTriageFile>();
        var tables = TriageTables.For(report);
        foreach (TriageTables.Table table in tables)
        {
            string path = folder.FilePath(table.Name + ".csv");
            files.Add(new GcTriageFile { Name = table.Name, Path = path });
        }

        files.Add(new GcTriageFile { Name = "report.json", Path = folder.FilePath("report.json") });
        files.Add(new GcTriageFile { Name = "report.html", Path = folder.FilePath("report.html") });
        report.Files = files;

        foreach (TriageTables.Table table in tables)
        {
            table.Write(folder.FilePath(table.Name + ".csv"));
        }

        string json = ToJson(report);
        WriteText(folder.FilePath("report.json"), json);
        WriteText(folder.FilePath("report.html"), TriageHtml.Render(report, json));
    }

    public static string ToJson(GcTriageReport report) => JsonSerializer.Serialize(report, JsonOptions);

    private static void WriteText(string path, string text)
    {
        using var stream = ReportDirectory.Create(path);
        byte[] bytes = new UTF8Encoding(false).GetBytes(text);
        stream.Write(bytes);
    }
}

/// <summary>The tables of a report, each written as one CSV; a table is there only when its part is.</summary>
internal static class TriageTables
{
    public sealed record Table(string Name, Action<string> Write);

    public static List<Table> For(GcTriageReport report)
    {
        var tables = new List<Table>
        {
            new("findings", p => CsvTableWriter.Write(p, "findings", report.Findings)),
            new("likely-causes", p => CsvTableWriter.Write(p, "likely-causes", report.LikelyCauses)),
            new("errors", p => CsvTableWriter.Write(p, "errors", report.Errors)),
        };
        if (report.TopTypes.Count > 0)
        {
            tables.Add(new("types", p => CsvTableWriter.Write(p, "types", report.TopTypes)));
        }

        TriagePartTables.Add(report, tables);
        return tables;
    }
}
