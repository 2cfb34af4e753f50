using System.Globalization;

namespace GcTriage.Core;

/// <summary>
/// The optional parts of a triage, each filled from the Core reader that answers it: settings and pauses for a process;
/// collections, bitsets and root paths for a dump. Each runs through TriageRunner.Part, so one that fails is listed in the
/// report's Errors and the others go on. Likely causes join the pause evidence with the heap evidence.
/// </summary>
internal static class TriageParts
{
    /// <summary>A set-like collection or a bit field whose advice saves at least this much is a finding.</summary>
    public const long AdviceMinSavingBytes = 1024 * 1024;
    /// <summary>Bytes the advice saves on a collection whose entries hold no references, as a share of the heap's objects: Warning from the first, Critical from the second.</summary>
    public const double WasteWarningShare = 0.10;
    public const double WasteCriticalShare = 0.50;

    public static void RunProcessParts(TriageRunner runner, GcTriageReport report, int pid, CancellationToken cancellationToken,
        IProgress<GcProgress>? progress, ref bool pausesKnown, ref bool thresholdReached)
    {
        TriageOptions options = runner.Options;
        runner.Part("Settings", () =>
        {
            progress?.Report(new GcProgress("Triage", "Reading GC settings", 5));
            GcSetting settings = new GcSettingReader().Read(pid, queryRuntime: true, cancellationToken, progress);
            report.Settings = settings;
            runner.AddFindings(settings.Findings);
            foreach (GcFinding f in settings.Findings.Where(f => f.Severity >= GcFindingSeverity.Warning))
            {
                runner.AddCause(new TriageAnalyzer.Cause(f.Severity, f.Code, f.Message, null, 30));
            }
        }, cancellationToken);

        var pauses = new List<GcPause>();
        GcPauseSessionResult? result = null;
        runner.Part("Pauses", () =>
        {
            progress?.Report(new GcProgress("Triage", $"Sampling GC pauses for {options.Duration}", 10));
            result = new GcPauseReader().ReadLive(new GcPauseSessionOptions { ProcessId = pid, Duration = options.Duration },
                p => { lock (pauses) { pauses.Add(p); } }, cancellationToken, progress);
        }, cancellationToken);

        if (result is null && pauses.Count == 0)
        {
            return;
        }

        pausesKnown = true;
        List<GcPause> ordered;
        lock (pauses)
        {
            ordered = pauses.OrderBy(p => p.Number).ToList();
        }

        report.Pauses = ordered;
        report.PauseSummary = PauseStatistics.Summarize(ordered, windowMs: result?.WindowMs);
        report.PauseSummaryByGeneration = ordered.GroupBy(p => p.Generation).OrderBy(g => g.Key)
            .Select(g => PauseStatistics.Summarize(g.ToList(), g.Key.ToString(CultureInfo.InvariantCulture), "Generation", result?.WindowMs))
            .ToList();
        if (result?.TargetExited == true)
        {
            runner.AddError("Pauses", new TargetProcessExitedException(pid));
        }

        GcPauseSummary s = report.PauseSummary;
        thresholdReached = s.Count > 0 && (s.P99PauseMs >= options.PauseThresholdMs || s.MaxPauseMs >= options.PauseThresholdMs);
        if (thresholdReached)
        {
            var blocking2 = ordered.Where(p => p.Generation == 2 && p.Type != GcPauseType.Background).ToList();
            string kind = blocking2.Count > 0 && blocking2.Max(p => p.PauseMs) >= options.PauseThresholdMs ? "blocking gen2" : "GC";
            var worst = ordered.MaxBy(p => p.PauseMs)!;
            string text = $"{kind} pauses reach {TriageAnalyzer.Ms(s.MaxPauseMs)} (p99 {TriageAnalyzer.Ms(s.P99PauseMs)}, threshold {TriageAnalyzer.Ms(options.PauseThresholdMs)}) over {s.Count} GCs; "
                + $"the longest was gen{worst.Generation} {worst.Type} ({worst.Reason}); GCs paused the process {s.PauseTimePercent.ToString("0.#", CultureInfo.InvariantCulture)} % of the window.";
            var severity = s.P99PauseMs >= options.PauseThresholdMs ? GcFindingSeverity.Critical : GcFindingSeverity.Warning;
            runner.AddFindings(new[] { new GcFinding { Severity = severity, Code = "LongPauses", Message = text } });
            runner.AddCause(new TriageAnalyzer.Cause(severity, "LongPauses", text, null, 100));
        }
    }

    public static void RunDumpParts(TriageRunner runner, GcTriageReport report, DumpSession session, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        TriageOptions options = runner.Options;
        if (report.Settings is null)
        {
            runner.Part("Settings", () => report.Settings = GcSettingReader.FromDump(session), cancellationToken);
        }

        // One shortest root path per object for the whole run: the structure's holders, the collections that hold them and the
        // collections' own root paths ask for the same objects.
        var firstPaths = new Dictionary<ulong, GcRootPath?>();
        GcRootPath? FirstPath(ulong address)
        {
            if (!firstPaths.TryGetValue(address, out GcRootPath? path))
            {
                path = RootFinder.FindPaths(session, address, new RootQuery { MaxPaths = 1, Budget = options.Budget }, cancellationToken, progress).Paths.FirstOrDefault();
                firstPaths.Add(address, path);
            }

            return path;
        }

        runner.Part("Collections", () =>
        {
            progress?.Report(new GcProgress("Triage", "Reading collections", 60));
            var all = CollectionInspector.GetCollections(session, new CollectionQuery { Budget = options.Budget }, cancellationToken, progress);
            report.Collections = all.Take(options.Top).ToList();
        }, cancellationToken);

        runner.Part("Bitsets", () =>
        {
            progress?.Report(new GcProgress("Triage", "Reading bit fields", 75));
            report.Bitsets = BitsetInspector.GetBitsets(session, new BitsetQuery { Budget = options.Budget }, cancellationToken, progress)
                .OrderByDescending(b => b.Bytes).Take(options.Top).ToList();
        }, cancellationToken);

        runner.Part("GcCost", () =>
        {
            progress?.Report(new GcProgress("Triage", "Fragmentation, handles, finalization", 80));
            report.Fragmentation = FragmentationAnalyzer.Analyze(session, new FragmentationQuery(), cancellationToken, progress);
            IReadOnlyList<GcHandleStat> handles = HandleAnalyzer.GetStats(session, new HandleQuery(), cancellationToken, progress);
            report.Handles = handles.Take(options.Top).ToList();
            report.Finalization = FinalizableAnalyzer.Total(FinalizableAnalyzer.GetStats(session, readyOnly: false, cancellationToken, progress), session.Path);
            foreach (GcCostFindings.Result r in GcCostFindings.Evaluate(report, handles))
            {
                runner.AddFindings(new[] { r.Finding });
                runner.AddCause(r.Cause);
            }
        }, cancellationToken);

        runner.Part("ReferenceCost", () =>
        {
            progress?.Report(new GcProgress("Triage", "Mark cost and old-to-young references", 82));
            IReadOnlyList<GcMarkCostStat> mark = MarkCostAnalyzer.Analyze(session, new MarkCostQuery { Budget = options.Budget }, cancellationToken, progress);
            IReadOnlyList<GcCrossGenerationStat> cross = CrossGenerationAnalyzer.Analyze(session, cancellationToken, progress);
            report.MarkCost = mark.Take(options.Top).ToList();
            report.CrossGenerationReferences = cross.Take(options.Top).ToList();

            // The session keeps only a complete live set: a truncated one is marked here once for all the holders asked for.
            LiveSet? live = null;
            GcRootPath? HolderOf(GcMarkCostStat m)
            {
                live ??= session.GetLiveSet(options.Budget, cancellationToken);
                ulong? sample = LiveOldObject(session, live, m.MethodTable, cancellationToken);
                GcRootPath? path = sample is ulong address ? FirstPath(address) : null;
                return path is null || path.RootKind == nameof(RootKind.StaticField) ? path : HeldByCollection(report, path, FirstPath);
            }

            foreach (GcCostFindings.Result r in ReferenceCostFindings.Evaluate(report, mark, cross, HolderOf))
            {
                runner.AddFindings(new[] { r.Finding });
                runner.AddCause(r.Cause);
            }
        }, cancellationToken);

        var roots = new List<GcRootPath>();
        var heldBy = new Dictionary<ulong, GcRootPath>();
        foreach (GcCollectionInfo c in report.Collections.Take(options.RootPathCount))
        {
            runner.Part("Roots", () =>
            {
                progress?.Report(new GcProgress("Triage", $"Root paths of 0x{c.Address:x}", 85));
                if (FirstPath(c.Address) is GcRootPath path)
                {
                    roots.Add(path);
                    heldBy[c.Address] = path;
                }
            }, cancellationToken);
        }

        report.RootPaths = roots;
        runner.Part("LeakSuspects", () =>
        {
            progress?.Report(new GcProgress("Triage", "Leak suspects (dominator tree)", 90));
            report.LeakSuspects = RetainedQueries.GetLeakSuspects(session, LeakSuspectFinder.DefaultMinShare, cancellationToken, progress)
                .Take(options.Top).ToList();
        }, cancellationToken);

        AddHeapCauses(runner, report, heldBy);
    }

    /// <summary>
    /// A shortest path can start on a thread's stack that holds a collection's entries for a moment (a dump taken during a lookup):
    /// the collection of the report whose keys or values are of a type on the path names the lasting holder, its root then the path.
    /// </summary>
    private static GcRootPath HeldByCollection(GcTriageReport report, GcRootPath path, Func<ulong, GcRootPath?> firstPath)
    {
        var types = path.Chain.Select(s => s.TypeName).ToHashSet(StringComparer.Ordinal);
        foreach (GcCollectionInfo c in report.Collections.Where(c => c.HoldsReferences && (types.Contains(c.ValueType ?? "") || types.Contains(c.KeyType ?? ""))))
        {
            GcRootPath? held = firstPath(c.Address);
            if (held is { RootKind: nameof(RootKind.StaticField) })
            {
                return new GcRootPath
                {
                    Address = path.Address,
                    TypeName = path.TypeName,
                    RootKind = held.RootKind,
                    RootName = held.RootName,
                    RootAddress = held.RootAddress,
                    Chain = held.Chain.Concat(path.Chain.SkipWhile(s => held.Chain.Any(h => h.Address == s.Address))).ToList(),
                    Depth = held.Depth + path.Depth,
                    Truncated = held.Truncated || path.Truncated,
                    DumpPath = path.DumpPath,
                };
            }
        }

        return path;
    }

    /// <summary>The first object of the type in gen2 or the LOH that <paramref name="live"/> marks, in address order; null when there is none.</summary>
    private static ulong? LiveOldObject(DumpSession session, LiveSet live, ulong methodTable, CancellationToken cancellationToken)
    {
        HeapIndex index = session.GetIndex(cancellationToken);
        int type = index.Types.FirstOrDefault(t => t.MethodTable == methodTable)?.Id ?? -1;
        long node = 0;
        foreach (HeapIndex.Block block in index.Blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < block.Count; i++, node++)
            {
                HeapIndex.Entry e = block[i];
                if (e.TypeId == type && e.Generation is GcGeneration.Gen2 or GcGeneration.LOH && live.IsLive(node))
                {
                    return e.Address;
                }
            }
        }

        return null;
    }

    /// <summary>Collections and bit fields whose advice saves real bytes, named with what holds them and joined with the pauses.</summary>
    private static void AddHeapCauses(TriageRunner runner, GcTriageReport report, Dictionary<ulong, GcRootPath> heldBy)
    {
        string pausePrefix = "";
        if (report.PauseSummary is { Count: > 0 } s && report.PauseThresholdMs is double threshold && s.MaxPauseMs >= threshold)
        {
            int gen2 = report.Pauses.Count(p => p.Generation == 2);
            pausePrefix = $"pauses reach {TriageAnalyzer.Ms(s.MaxPauseMs)} (p99 {TriageAnalyzer.Ms(s.P99PauseMs)}, {gen2} gen2 GCs); ";
        }

        var explained = new HashSet<ulong>();
        foreach (GcCollectionInfo c in report.Collections)
        {
            if (c.Advice is not { } advice || advice.SavingBytes < AdviceMinSavingBytes)
            {
                continue;
            }

            explained.Add(c.Address);

            string holder = heldBy.TryGetValue(c.Address, out GcRootPath? root) ? $" held by {root.RootName} ({root.RootKind})" : "";
            string code = c.IsSetLike ? "SetLikeCollection" : "OversizedCollection";
            string what = $"a {(c.IsSetLike ? "set-like " : "")}{c.TypeName} of {c.Count.ToString("N0", CultureInfo.InvariantCulture)} entries";
            if (!c.HoldsReferences)
            {
                // Entries without references: memory the advice would give back, weighed by its share of the heap's objects. The
                // GC marks the collection as a few objects and scans no card for it, so the pauses are not laid at its door.
                long objects = Math.Max(1, (report.HeapBytes ?? c.ShallowBytes) - (report.FreeBytes ?? 0));
                double share = (double)advice.SavingBytes / objects;
                var waste = share >= WasteCriticalShare ? GcFindingSeverity.Critical : share >= WasteWarningShare ? GcFindingSeverity.Warning : GcFindingSeverity.Info;
                string memory = $"{what} ({TriageAnalyzer.Bytes(c.ShallowBytes)}, {c.Generation}){holder}; its entries hold no references, so the GC marks it "
                    + $"as one object and scans no card for it: it costs memory ({TriageAnalyzer.Pct(advice.SavingBytes, objects)} of the heap's objects would go), not pause time; {advice.Recommendation}";
                runner.AddFindings(new[] { new GcFinding { Severity = waste, Code = code, Message = memory } });
                runner.AddCause(new TriageAnalyzer.Cause(waste, code, memory, c.ShallowBytes, 50));
                continue;
            }

            string text = $"{pausePrefix}{what} ({TriageAnalyzer.Bytes(c.ShallowBytes)}, {c.Generation}){holder}; {advice.Recommendation}";
            var severity = c.Generation is GcGeneration.LOH or GcGeneration.Gen2 && pausePrefix.Length > 0 ? GcFindingSeverity.Warning : GcFindingSeverity.Info;
            runner.AddFindings(new[] { new GcFinding { Severity = severity, Code = code, Message = text } });
            runner.AddCause(new TriageAnalyzer.Cause(severity, code, text, c.ShallowBytes, pausePrefix.Length > 0 ? 90 : 50));
        }

        AddLeakSuspectCauses(runner, report, pausePrefix, explained);
        foreach (GcBitsetInfo b in report.Bitsets)
        {
            if (b.SavingBytes < AdviceMinSavingBytes)
            {
                continue;
            }

            string text = $"a {b.TypeName} of {b.LengthBits.ToString("N0", CultureInfo.InvariantCulture)} flags takes {TriageAnalyzer.Bytes(b.Bytes)} ({b.Generation}); as a BitArray it would take {TriageAnalyzer.Bytes(b.BitArrayBytes)}.";
            runner.AddFindings(new[] { new GcFinding { Severity = GcFindingSeverity.Info, Code = "BoolArrayAsBitset", Message = text } });
            runner.AddCause(new TriageAnalyzer.Cause(GcFindingSeverity.Info, "BoolArrayAsBitset", text, b.Bytes, 30));
        }
    }

    /// <summary>
    /// Each leak suspect is a finding; it is a likely cause of its own unless a collection cause already names the same object
    /// (the suspect, or where its bytes pile up).
    /// </summary>
    private static void AddLeakSuspectCauses(TriageRunner runner, GcTriageReport report, string pausePrefix, HashSet<ulong> explained)
    {
        // A collection whose entries hold no references is not tied to the pauses, as a suspect either (its own finding weighs its memory).
        var pointerFree = report.Collections.Where(c => !c.HoldsReferences).Select(c => c.Address).ToHashSet();
        foreach (GcLeakSuspect s in report.LeakSuspects)
        {
            string holder = s.RootName is null ? "" : $"; held by {s.RootName} ({s.RootKind})";
            string prefix = pointerFree.Contains(s.Address) || (s.AccumulationPointAddress is ulong at && pointerFree.Contains(at)) ? "" : pausePrefix;
            string text = prefix + s.Suspect + holder + ".";
            var severity = prefix.Length > 0 ? GcFindingSeverity.Warning : GcFindingSeverity.Info;
            runner.AddFindings(new[] { new GcFinding { Severity = severity, Code = "LeakSuspect", Message = text } });
            bool named = explained.Contains(s.Address) || (s.AccumulationPointAddress is ulong point && explained.Contains(point));
            if (!named)
            {
                runner.AddCause(new TriageAnalyzer.Cause(severity, "LeakSuspect", text, s.RetainedBytes, prefix.Length > 0 ? 85 : 45));
            }
        }
    }
}
