namespace GcTriage.Core;

/// <summary>
/// The tables of the GC-cost parts, a CSV each when the part has rows: fragmentation per generation, its largest free blocks one
/// row per pinned object beside them (a block with nothing pinned has one row with empty pin columns), handles by kind and target
/// type, and the finalization totals. Their file names are in <see cref="ReportDirectory.ReportFiles"/>, so -Force guards them.
/// </summary>
internal static class TriageCostTables
{
    public static void Add(GcTriageReport report, List<TriageTables.Table> tables)
    {
        if (report.Fragmentation.Count > 0)
        {
            tables.Add(new("fragmentation", p => CsvTableWriter.Write(p, report.Fragmentation)));
            var blocks = FreeBlockRows(report.Fragmentation);
            if (blocks.Count > 0)
            {
                tables.Add(new("free-blocks", p => CsvTableWriter.Write(p, blocks)));
            }
        }

        if (report.Handles.Count > 0)
        {
            tables.Add(new("handles", p => CsvTableWriter.Write(p, report.Handles)));
        }

        if (report.Finalization is { } finalization)
        {
            tables.Add(new("finalization", p => CsvTableWriter.Write(p, new[] { finalization })));
        }
    }

    private static List<GcFreeBlockRow> FreeBlockRows(IReadOnlyList<GcFragmentation> fragmentation)
    {
        var rows = new List<GcFreeBlockRow>();
        foreach (GcFragmentation f in fragmentation)
        {
            foreach (GcFreeBlock b in f.LargestFreeBlocks)
            {
                if (b.PinnedNeighbours.Count == 0)
                {
                    rows.Add(new GcFreeBlockRow(b, null, f.DumpPath));
                    continue;
                }

                foreach (GcPinnedNeighbour pin in b.PinnedNeighbours)
                {
                    rows.Add(new GcFreeBlockRow(b, pin, f.DumpPath));
                }
            }
        }

        return rows;
    }
}
