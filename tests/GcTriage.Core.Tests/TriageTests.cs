using System.Text.Json;

namespace GcTriage.Core.Tests;

/// <summary>Invoke-GcTriage's Core: the report of the fixture's exactly known heap, its files, and the process path.</summary>
public sealed class TriageTests : IClassFixture<HeapDumpFixture>
{
    private readonly HeapDumpFixture _dump;

    public TriageTests(HeapDumpFixture dump)
    {
        _dump = dump;
        Assert.True(dump.NoGcRegion, "the fixture could not enter its no-GC region; the figures would not be exact");
    }

    [Fact]
    public void A_dump_triage_reports_the_exact_heap_and_writes_owner_only_files()
    {
        using var temp = new TempDirectory();
        string output = temp.File("report");
        var report = new TriageRunner(new TriageOptions { Dump = _dump.Session, OutputDirectory = output, Top = 1000 }).Run();

        Assert.Equal(GcTriageSchema.Version, report.SchemaVersion);
        Assert.Equal(_dump.DumpPath, report.DumpPath);
        Assert.Empty(report.Errors);
        GcTypeStat widget = Assert.Single(report.TopTypes, t => t.TypeName == "GcTriage.Fixture.Widget");
        Assert.Equal(1000, widget.Count);
        Assert.Equal(40_000, widget.TotalSize);
        Assert.DoesNotContain(report.TopTypes, t => t.TypeName == "Free");
        Assert.Equal(_dump.Session.ObjectCount, report.ObjectCount);
        Assert.Equal(report.TopTypes.Sum(t => t.TotalSize) + report.FreeBytes, report.HeapBytes);
        Assert.True(_dump.Session.IsOpen, "a session the caller gave stays open");

        // The set-like Dictionary<long,bool> held by Cache.s_seen, and the dead Entry arrays it left behind when it resized; the
        // leak suspects are that dictionary (a cause already, as a set-like collection) and HeapMode.s_flags' bool[1,000,000].
        // The set's entries hold no references: a memory finding, weighed by what its advice would give back (between 10 and
        // 50 % of the heap's objects here: a Warning), and no word of the pauses.
        Assert.Equal(new[] { "SetLikeCollection", "DominantType", "LeakSuspect", "LeakSuspect" }, report.Findings.Select(f => f.Code));
        Assert.Equal(new[] { GcFindingSeverity.Warning, GcFindingSeverity.Info, GcFindingSeverity.Info, GcFindingSeverity.Info }, report.Findings.Select(f => f.Severity));
        Assert.Equal(new[] { "SetLikeCollection", "LeakSuspect", "DominantType" }, report.LikelyCauses.Select(c => c.Code));
        GcLikelyCause cause = report.LikelyCauses[0];
        Assert.Equal(1, cause.Rank);
        Assert.Contains("its entries hold no references", cause.Text);
        Assert.Contains("not pause time", cause.Text);
        Assert.False(report.Collections[0].HoldsReferences);
        Assert.Contains("142,858 entries", cause.Text);
        Assert.Contains("held by GcTriage.Fixture.Cache.s_seen", cause.Text);
        Assert.Contains("a BitArray would take", cause.Text);
        Assert.Equal(report.TopTypes[0].TotalSize, report.LikelyCauses[2].Bytes);
        GcCollectionInfo seen = report.Collections[0];
        Assert.Equal(2, report.LeakSuspects.Count);
        GcLeakSuspect seenSuspect = report.LeakSuspects[0];
        Assert.Equal((seen.Address, seen.ShallowBytes, "GcTriage.Fixture.Cache.s_seen"), (seenSuspect.Address, seenSuspect.RetainedBytes, seenSuspect.RootName));
        Assert.EndsWith("+Entry[]", seenSuspect.AccumulationPointType);
        GcLeakSuspect flags = report.LeakSuspects[1];
        Assert.Equal(("System.Boolean[]", 1_000_024L, "GcTriage.Fixture.HeapMode.s_flags"), (flags.TypeName, flags.RetainedBytes, flags.RootName));
        Assert.Equal(flags.Address, flags.AccumulationPointAddress);
        Assert.Contains("held by GcTriage.Fixture.HeapMode.s_flags (StaticField)", report.LikelyCauses[1].Text);
        Assert.Equal(1_000_024, report.LikelyCauses[1].Bytes);
        Assert.Equal(142_858, seen.Count);
        Assert.Equal(156_437, seen.Capacity);
        Assert.True(seen.IsSetLike);
        Assert.Contains(report.RootPaths, r => r.Address == seen.Address && r.RootName == "GcTriage.Fixture.Cache.s_seen");
        Assert.Contains(report.Bitsets, b => b.TypeName == "System.Boolean[]" && b.LengthBits == 1_000_000 && b.SetBits == 142_858);

        var names = Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[]
        {
            "bitsets.csv", "collections.csv", "cross-generation.csv", "errors.csv", "finalization.csv", "findings.csv", "fragmentation.csv", "free-blocks.csv",
            "handles.csv", "leak-suspects.csv", "likely-causes.csv", "mark-cost.csv", "report.html", "report.json", "roots.csv", "schema.json", "settings.csv",
            "types.csv",
        }, names);
        Assert.Equal(names.Length, report.Files.Count);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(output));
            foreach (string f in Directory.GetFiles(output))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
            }
        }

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        Assert.Equal("schemaVersion", json.RootElement.EnumerateObject().First().Name);
        Assert.Equal(GcTriageSchema.Version, json.RootElement.GetProperty("schemaVersion").GetString());
        JsonElement w = json.RootElement.GetProperty("topTypes").EnumerateArray().Single(t => t.GetProperty("typeName").GetString() == "GcTriage.Fixture.Widget");
        Assert.Equal(1000, w.GetProperty("count").GetInt64());
        Assert.Equal("Warning", json.RootElement.GetProperty("findings")[0].GetProperty("severity").GetString());

        // Plain CSV (no comment line: Excel and pandas take one as data); the schema version is in schema.json and report.json.
        string[] csv = File.ReadAllLines(Path.Combine(output, "types.csv"));
        Assert.StartsWith("\"TypeName\",\"MethodTable\",\"Count\",\"TotalSize\",\"Gen0Size\"", csv[0]);
        Assert.Contains(csv, l => l.StartsWith("\"GcTriage.Fixture.Widget\",", StringComparison.Ordinal) && l.Contains(",\"1000\",\"40000\",\"40000\","));
        Assert.Equal(report.TopTypes.Count + 1, csv.Length);
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "schema.json")));
        Assert.Equal(GcTriageSchema.Version, schema.RootElement.GetProperty("schemaVersion").GetString());
        Assert.Equal(names.Where(n => n!.EndsWith(".csv", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            schema.RootElement.GetProperty("csv").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal));

        string html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("default-src 'none'", html);
        Assert.Contains("Chart.js v4.6.1", html);
        Assert.DoesNotContain("sourceMappingURL", html);
        Assert.DoesNotContain("<script src", html);
        Assert.True(html.IndexOf("id=\"findings\"", StringComparison.Ordinal) < html.IndexOf("id=\"top-types\"", StringComparison.Ordinal));
        Assert.Contains("id=\"chart-types\"", html);
        Assert.Contains("id=\"chart-collections\"", html);
        Assert.Contains("<section id=\"leak-suspects\"><h2>Leak suspects</h2>", html);
        int percent = (int)Math.Round(seenSuspect.ShareOfHeap * 100);
        Assert.Contains($"<div class=\"share-fill\" style=\"width:{percent}%\"></div>", html);
        Assert.Contains("[StaticField] GcTriage.Fixture.HeapMode.s_flags -&gt; System.Boolean[]@0x", html);
    }

    [Fact]
    public void An_unwritable_output_directory_fails_before_anything_is_read()
    {
        using var temp = new TempDirectory();
        string file = temp.File("a-file");
        File.WriteAllText(file, "x");
        // The dump does not exist either: the folder error must come first.
        var options = new TriageOptions { DumpPath = temp.File("missing.dmp"), OutputDirectory = Path.Combine(file, "sub") };
        var e = Assert.Throws<OutputDirectoryException>(() => new TriageRunner(options).Run());
        Assert.Equal("OutputDirectoryNotWritable", e.ErrorId);
        Assert.Equal(GcErrorKind.WriteError, e.Kind);
        Assert.Contains(Path.Combine(file, "sub"), e.Message);

        Assert.Throws<OutputDirectoryException>(() => new TriageRunner(new TriageOptions { DumpPath = _dump.DumpPath, OutputDirectory = file }).Run());
        Assert.Throws<DumpNotFoundException>(() => new TriageRunner(new TriageOptions { DumpPath = temp.File("missing.dmp"), OutputDirectory = temp.File("ok") }).Run());
    }

    [Fact]
    public void A_report_already_there_is_kept_unless_forced()
    {
        using var temp = new TempDirectory();
        var options = new TriageOptions { Dump = _dump.Session, OutputDirectory = temp.File("r") };
        new TriageRunner(options).Run();
        Assert.Throws<FileExistsException>(() => new TriageRunner(options).Run());
        var again = new TriageRunner(new TriageOptions { Dump = _dump.Session, OutputDirectory = temp.File("r"), Force = true }).Run();
        Assert.Equal(1000, again.TopTypes.Single(t => t.TypeName == "GcTriage.Fixture.Widget").Count);
    }

    [Fact]
    public void A_process_triage_captures_a_dump_always_and_skips_it_below_the_threshold()
    {
        using var temp = new TempDirectory();
        using var fixture = FixtureProcess.Start("heap");
        Assert.Contains("NOGC True", fixture.Lines);

        var always = new TriageRunner(new TriageOptions
        {
            ProcessId = fixture.Id,
            CaptureDump = GcCaptureDumpMode.Always,
            Duration = TimeSpan.FromSeconds(1),
            OutputDirectory = temp.File("always"),
        }).Run();
        Assert.Equal("Captured", always.CaptureStatus);
        Assert.NotNull(always.Settings);
        Assert.Equal("Workstation", always.Settings!.GcMode);
        Assert.NotNull(always.PauseSummary);
        Assert.Equal(fixture.Id, always.ProcessId);
        Assert.NotNull(always.DumpPath);
        Assert.Equal(temp.File("always"), Path.GetDirectoryName(always.DumpPath));
        Assert.True(File.Exists(always.DumpPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(always.DumpPath!));
        }

        Assert.Equal(1000, always.TopTypes.Single(t => t.TypeName == "GcTriage.Fixture.Widget").Count);
        Assert.Equal(777, always.TopTypes.Single(t => t.TypeName == "GcTriage.Fixture.Gadget").Count);

        var never = new TriageRunner(new TriageOptions
        {
            ProcessId = fixture.Id,
            CaptureDump = GcCaptureDumpMode.Never,
            Duration = TimeSpan.FromSeconds(1),
            OutputDirectory = temp.File("never"),
        }).Run();
        Assert.Equal("Never", never.CaptureStatus);
        Assert.Null(never.DumpPath);
        Assert.Empty(never.TopTypes);
        Assert.False(Directory.EnumerateFiles(temp.File("never"), "*.dmp").Any());
    }

    [Fact]
    public void Free_space_over_a_quarter_of_the_heap_is_a_fragmentation_warning_ranked_first()
    {
        var report = new GcTriageReport
        {
            HeapBytes = 1000,
            FreeBytes = 300,
            TopTypes = new[] { new GcTypeStat { TypeName = "Acme.Big", Count = 2, TotalSize = 600, LohSize = 600 } },
        };
        TriageAnalyzer.Analyze(report, Array.Empty<GcFinding>(), Array.Empty<TriageAnalyzer.Cause>());
        Assert.Equal(new[] { "HeapFragmented", "DominantType" }, report.Findings.Select(f => f.Code));
        Assert.Equal(GcFindingSeverity.Warning, report.Findings[0].Severity);
        Assert.Equal("HeapFragmented", report.LikelyCauses[0].Code);
        Assert.Contains("30 %", report.LikelyCauses[0].Text);
        Assert.Contains("85.7 %", report.LikelyCauses[1].Text);
        Assert.Contains("mostly on the LOH", report.LikelyCauses[1].Text);
    }

    [Theory]
    [InlineData("dotnet", "/usr/share/dotnet/dotnet /srv/api/Acme.Api.dll --urls http://+:80", "Acme.Api")]
    [InlineData("dotnet", "dotnet exec --runtimeconfig x.json \"/srv/my app/Orders.dll\"", "Orders")]
    [InlineData("dotnet", "dotnet watch run", "dotnet")]
    [InlineData("Acme.Api", "/srv/api/Acme.Api --urls http://+:80", "Acme.Api")]
    [InlineData("dotnet", null, "dotnet")]
    public void The_application_name_is_the_entry_assembly_of_a_dotnet_host(string processName, string? commandLine, string expected)
    {
        Assert.Equal(expected, ProcessCatalog.ApplicationName(processName, commandLine));
    }

    [Fact]
    public void Numeric_report_columns_align_right_under_their_header_also_when_last()
    {
        var report = new GcTriageReport
        {
            Target = "Acme.Api (process 42)",
            PauseSummary = new GcPauseSummary { Count = 12, P50PauseMs = 1.25, P99PauseMs = 48, MaxPauseMs = 52, TotalPauseMs = 80, PauseTimePercent = 4 },
            Settings = new GcSetting { GcMode = "Server", Settings = new[] { new GcSettingValue { Name = "GCgen0size", Value = "0x10000000", Origin = "DOTNET_GCgen0size" } } },
        };
        string html = TriageHtml.Render(report, "{}");
        Assert.Contains("<title>GC triage: Acme.Api (process 42)</title>", html);
        // The last column of the pause table is a number: no "t" (text, left) class on its header or its cells, two decimals.
        Assert.Contains("<th>% paused</th></tr>", html);
        Assert.Contains("<td>4.00</td></tr>", html);
        Assert.Contains("<th class=\"t\">Group</th>", html);
        // A text column (Origin, last in the settings table) is left-aligned, header and cells alike.
        Assert.Contains("<th class=\"t\">Origin</th>", html);
        Assert.Contains("<td class=\"t\">DOTNET_GCgen0size</td>", html);
        Assert.DoesNotContain("td:last-child{white-space:normal;text-align:left}", html);
        Assert.True(TriageHtml.IsNumberCell("<span title=\"4096 bytes\">4 KB</span>"));
        Assert.True(TriageHtml.IsNumberCell("1.25 ms"));
        Assert.False(TriageHtml.IsNumberCell("gen2"));
    }

    [Fact]
    public void The_report_settings_section_has_the_configured_and_effective_rows()
    {
        GcSetting settings = GcSettingReader.Compose(new GcSettingInputs
        {
            Environment = new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_PROCESSOR_COUNT"] = "1" },
            EnvironmentOrigin = "diagnostics channel",
            MachineProcessorCount = 4,
        });
        var report = new GcTriageReport { Settings = settings };
        string html = TriageHtml.Render(report, "{}");
        Assert.Contains("<tr><th class=\"t\">Setting</th><th class=\"t\">Configured</th><th class=\"t\">Configured by</th><th class=\"t\">Effective</th><th class=\"t\">Source</th><th class=\"t\">Why</th></tr>", html);
        Assert.Contains("<tr><td class=\"t\">GcMode</td><td class=\"t\">Server</td><td class=\"t\">DOTNET_gcServer=1</td><td class=\"t\"><b>Workstation</b></td><td class=\"t\">Derived</td><td class=\"t\">the runtime sees 1 processor (DOTNET_PROCESSOR_COUNT=1), and Server GC needs more than one</td></tr>", html);
        Assert.Contains("<tr><td class=\"t\">HeapCount</td><td class=\"t\"><i>default</i></td><td class=\"t\"></td><td class=\"t\">1</td><td class=\"t\">Derived</td><td class=\"t\"></td></tr>", html);
        Assert.Equal(settings.Effective.Count, System.Text.RegularExpressions.Regex.Matches(html, "<tr><td class=\"t\">(GcMode|HeapCount|Concurrent|DATAS|HeapHardLimit|ProcessorCount)</td>").Count);
    }
}
