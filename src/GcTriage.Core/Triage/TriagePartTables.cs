namespace GcTriage.Core;

/// <summary>The tables of the optional parts (pauses, settings, collections, bitsets, roots, leak suspects): a CSV each, when the part has rows.</summary>
internal static class TriagePartTables
{
    public static void Add(GcTriageReport report, List<TriageTables.Table> tables)
    {
        if (report.Settings is { } settings)
        {
            tables.Add(new("settings", p => CsvTableWriter.Write(p, settings.Settings)));
            if (settings.Effective.Count > 0)
            {
                tables.Add(new("settings-effective", p => CsvTableWriter.Write(p, settings.Effective)));
            }
        }

        if (report.Pauses.Count > 0)
        {
            tables.Add(new("pauses", p => CsvTableWriter.Write(p, report.Pauses)));
        }

        if (report.PauseSummary is { } summary)
        {
            tables.Add(new("pause-summary", p => CsvTableWriter.Write(p, new[] { summary }.Concat(report.PauseSummaryByGeneration))));
        }

        if (report.Collections.Count > 0)
        {
            tables.Add(new("collections", p => CsvTableWriter.Write(p, report.Collections)));
        }

        if (report.Bitsets.Count > 0)
        {
            tables.Add(new("bitsets", p => CsvTableWriter.Write(p, report.Bitsets)));
        }

        if (report.MarkCost.Count > 0)
        {
            tables.Add(new("mark-cost", p => CsvTableWriter.Write(p, report.MarkCost)));
        }

        if (report.CrossGenerationReferences.Count > 0)
        {
            tables.Add(new("cross-generation", p => CsvTableWriter.Write(p, report.CrossGenerationReferences)));
        }

        if (report.RootPaths.Count > 0)
        {
            tables.Add(new("roots", p => CsvTableWriter.Write(p, report.RootPaths)));
        }

        if (report.LeakSuspects.Count > 0)
        {
            tables.Add(new("leak-suspects", p => CsvTableWriter.Write(p, report.LeakSuspects)));
        }
    }
}
