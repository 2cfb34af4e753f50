namespace GcTriage.Core;

/// <summary>
/// The reference-rich structure that gives the GC most of its tracing (issue 15, items 4, 5 and 8): the old types whose live objects
/// hold the most references, gathered under the root that holds them, with the old-to-young references they hold, and tied to the
/// pauses they lengthen: long gen0/gen1 pauses to the cards of those old-to-young references, long blocking gen2 pauses to marking
/// it. A pointer-free array holds no references, so it is never named here however large it is.
/// </summary>
public static class ReferenceCostFindings
{
    public const string ReferenceRichStructure = nameof(ReferenceRichStructure);

    /// <summary>A structure is a finding from this many references held by its live objects, and this share of all live references.</summary>
    public const long MinReferences = 10_000;
    public const double MinReferenceShare = 0.20;
    /// <summary>A type joins a structure's search from this share of all live references.</summary>
    public const double MemberReferenceShare = 0.05;
    /// <summary>Old-to-young references from the structure's types from which long gen0/gen1 pauses are tied to it.</summary>
    public const long MinOldToYoung = 1_000;
    /// <summary>Weight of a structure tied to long pauses: above the LongPauses symptom (100) at the same severity.</summary>
    public const int TiedWeight = 120;
    /// <summary>Root searches at most (each a breadth-first search of the reference graph).</summary>
    public const int MaxRootSearches = 3;

    /// <summary>
    /// The finding for <paramref name="report"/>'s pauses, from every mark-cost and old-to-young row of its dump. <paramref name="holderOf"/>
    /// gives one root path of a live old object of the type (null when it has none).
    /// </summary>
    public static List<GcCostFindings.Result> Evaluate(GcTriageReport report, IReadOnlyList<GcMarkCostStat> mark, IReadOnlyList<GcCrossGenerationStat> cross,
        Func<GcMarkCostStat, GcRootPath?> holderOf)
    {
        var results = new List<GcCostFindings.Result>();
        long allReferences = mark.Sum(m => m.References);
        var old = mark.Where(m => m.References > 0 && 2 * (m.Gen2Objects + m.LohObjects + m.PohObjects) >= m.LiveObjects)
            .OrderByDescending(m => m.References).ToList();
        if (old.Count == 0 || old[0].References < MinReferences || old[0].References < allReferences * MinReferenceShare)
        {
            return results;
        }

        // The structure: the top type, the types on the path from its root, and the next heavy types held by the same root.
        GcRootPath? root = holderOf(old[0]);
        var members = new HashSet<string>(StringComparer.Ordinal) { old[0].TypeName };
        AddPathTypes(members, root);
        int searches = 1;
        foreach (GcMarkCostStat m in old.Skip(1).Where(m => m.References >= allReferences * MemberReferenceShare))
        {
            if (members.Contains(m.TypeName) || root is null || searches >= MaxRootSearches)
            {
                continue;
            }

            searches++;
            GcRootPath? other = holderOf(m);
            if (other is not null && other.RootName == root.RootName && other.RootAddress == root.RootAddress)
            {
                members.Add(m.TypeName);
                AddPathTypes(members, other);
            }
        }

        var parts = old.Where(m => members.Contains(m.TypeName)).ToList();
        long objects = parts.Sum(m => m.LiveObjects);
        long gen2 = parts.Sum(m => m.Gen2Objects + m.LohObjects);
        long references = parts.Sum(m => m.References);
        var young = cross.Where(c => members.Contains(c.SourceType)).ToList();
        long youngReferences = young.Sum(c => c.Count);

        var ephemeral = report.Pauses.Where(p => p.Generation < 2).ToList();
        var blockingGen2 = report.Pauses.Where(p => p.Generation == 2 && p.Type != GcPauseType.Background).ToList();
        double threshold = report.PauseThresholdMs ?? double.MaxValue;
        bool ephemeralTied = youngReferences >= MinOldToYoung && ephemeral.Count > 0 && ephemeral.Max(p => p.PauseMs) >= threshold;
        bool gen2Tied = blockingGen2.Count > 0 && blockingGen2.Max(p => p.PauseMs) >= threshold;

        string holder = root is null ? "" : $" held by {root.RootName} ({root.RootKind})";
        string path = root is null ? ShortName(old[0].TypeName) : string.Join(" -> ", root.Chain.Select(s => ShortName(s.TypeName)).Distinct());
        string heaviest = string.Join(", ", parts.Take(3).Select(m => $"{m.TypeName} ({TriageAnalyzer.N(m.LiveObjects)} objects, {TriageAnalyzer.N(m.References)} references)"));
        string text = $"the reference-rich {path}{holder} is what the GC traces: {TriageAnalyzer.N(objects)} live objects ({TriageAnalyzer.N(gen2)} in gen2 or the LOH) "
            + $"holding {TriageAnalyzer.N(references)} references, {TriageAnalyzer.Pct(references, allReferences)} of all the references it traces; most of them {heaviest}.";
        if (youngReferences > 0)
        {
            string fields = string.Join(", ", young.GroupBy(c => FieldName(c)).OrderByDescending(g => g.Sum(c => c.Count)).Take(3)
                .Select(g => $"{g.Key} ({TriageAnalyzer.N(g.Sum(c => c.Count))})"));
            text += $" It holds {TriageAnalyzer.N(youngReferences)} references to gen0/gen1 objects ({fields}): each is a card every gen0/gen1 GC scans, "
                + "and every fresh object written into it survives";
            text += ephemeralTied ? $": gen0/gen1 pauses {Summary(ephemeral)}." : ".";
        }

        if (gen2Tied)
        {
            text += $" Every blocking gen2 GC marks all of it: gen2 pauses {Summary(blockingGen2)}.";
        }

        bool tied = ephemeralTied || gen2Tied;
        GcFindingSeverity severity = GcFindingSeverity.Info;
        if (tied)
        {
            var tiedPauses = (ephemeralTied ? ephemeral : new List<GcPause>()).Concat(gen2Tied ? blockingGen2 : new List<GcPause>()).ToList();
            severity = PauseStatistics.Summarize(tiedPauses).P99PauseMs >= threshold ? GcFindingSeverity.Critical : GcFindingSeverity.Warning;
        }

        text = char.ToUpperInvariant(text[0]) + text[1..];
        results.Add(new GcCostFindings.Result(
            new GcFinding { Severity = severity, Code = ReferenceRichStructure, Message = text },
            new TriageAnalyzer.Cause(severity, ReferenceRichStructure, text, parts.Sum(m => m.LiveBytes), tied ? TiedWeight : 45)));
        return results;
    }

    private static void AddPathTypes(HashSet<string> members, GcRootPath? path)
    {
        if (path is null)
        {
            return;
        }

        foreach (GcRootStep step in path.Chain)
        {
            members.Add(step.TypeName);
        }
    }

    /// <summary>"Session.Last" for a field (auto-property backing fields by their property), "RequestRecord[] elements" for an array.</summary>
    private static string FieldName(GcCrossGenerationStat c)
    {
        string type = ShortName(c.SourceType);
        string? field = c.Field?.Split(", ")[0];
        if (field is null or "?")
        {
            return type;
        }

        if (field == "[]")
        {
            return type + " elements";
        }

        if (field.StartsWith('<') && field.EndsWith(">k__BackingField", StringComparison.Ordinal))
        {
            field = field[1..field.IndexOf('>', StringComparison.Ordinal)];
        }

        return type + "." + field;
    }

    private static string Summary(List<GcPause> pauses)
    {
        GcPauseSummary s = PauseStatistics.Summarize(pauses);
        return $"p99 {TriageAnalyzer.Ms(s.P99PauseMs)}, max {TriageAnalyzer.Ms(s.MaxPauseMs)} over {s.Count} GCs";
    }

    private static string ShortName(string typeName) => CollectionAdvisor.ShortName(typeName);
}
