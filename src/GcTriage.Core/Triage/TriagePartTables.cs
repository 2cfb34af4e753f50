namespace GcTriage.Core;

/// <summary>The tables of the optional parts (pauses, settings, collections, bitsets, roots), added as those parts exist.</summary>
internal static class TriagePartTables
{
    public static void Add(GcTriageReport report, List<TriageTables.Table> tables)
    {
    }
}
