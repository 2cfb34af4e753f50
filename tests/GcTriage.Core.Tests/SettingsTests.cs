using GcTriage.Core;

namespace GcTriage.Core.Tests;

/// <summary>Get-GcSetting's Core against live fixture processes.</summary>
public sealed class SettingsTests
{
    private static readonly Dictionary<string, string> s_serverEnv = new()
    {
        ["DOTNET_gcServer"] = "1",
        ["DOTNET_GCHeapCount"] = "2",
        ["DOTNET_gcConcurrent"] = "0",
    };

    [Fact]
    public void ServerFixtureReportsServerTwoHeapsNotConcurrentWithSources()
    {
        using var fixture = FixtureProcess.Start("alloc", environment: s_serverEnv);
        GcSetting s = new GcSettingReader().Read(fixture.Id, queryRuntime: true, CancellationToken.None);

        Assert.Equal(fixture.Id, s.ProcessId);
        Assert.True(s.Warnings.Count == 0, string.Join(" | ", s.Warnings));
        Assert.Equal("Server", s.GcMode);
        Assert.Equal(GcSettingSource.Runtime, s.GcModeSource);
        Assert.Equal(2, s.HeapCount);
        Assert.Equal(GcSettingSource.Runtime, s.HeapCountSource);
        // DOTNET_gcConcurrent=0 is configured, but the fixture's runtimeconfig.json says System.GC.Concurrent: true and the GC runs
        // background GCs: its settings bits say so (and Watch/Get-GcPause see Background GCs in this fixture).
        Assert.True(s.Concurrent);
        Assert.Equal(GcSettingSource.Runtime, s.ConcurrentSource);
        Assert.Equal(GcSettingFlags.Concurrent | GcSettingFlags.FrozenSegments, s.RuntimeFlags);
        Assert.Contains(s.Settings, v => v.Name == "GCSettingsRundown.BitSettings" && v.Value == "0x5 (Concurrent, FrozenSegments)");
        Assert.Equal(0, s.DynamicAdaptationMode);
        Assert.Equal(GcSettingSource.Derived, s.DynamicAdaptationSource);
        Assert.Equal("switched off by DOTNET_GCHeapCount=2 (a fixed heap count)", s.DynamicAdaptationReason);

        GcEffectiveValue mode = Assert.Single(s.Effective, r => r.Name == "GcMode");
        Assert.Equal(("Server", "DOTNET_gcServer=1", "Server", GcSettingSource.Runtime, false), (mode.Configured, mode.ConfiguredBy, mode.Effective, mode.EffectiveSource, mode.Differs));
        GcEffectiveValue heaps = Assert.Single(s.Effective, r => r.Name == "HeapCount");
        Assert.Equal(("2", "DOTNET_GCHeapCount=2", "2", false), (heaps.Configured, heaps.ConfiguredBy, heaps.Effective, heaps.Differs));
        GcEffectiveValue concurrent = Assert.Single(s.Effective, r => r.Name == "Concurrent");
        Assert.Equal(("False", "DOTNET_gcConcurrent=0", GcSettingSource.Environment, "True", GcSettingSource.Runtime, true),
            (concurrent.Configured, concurrent.ConfiguredBy, concurrent.ConfiguredSource, concurrent.Effective, concurrent.EffectiveSource, concurrent.Differs));
        Assert.Equal("System.GC.Concurrent=true in GcTriage.Fixture.runtimeconfig.json configures it too, and the runtime runs with that", concurrent.Why);
        GcEffectiveValue datas = Assert.Single(s.Effective, r => r.Name == "DATAS");
        Assert.Equal((null, "off", GcSettingSource.Derived, false), (datas.Configured, datas.Effective, datas.EffectiveSource, datas.Differs));
        Assert.Equal(s.DynamicAdaptationReason, datas.Why);
        GcFinding finding = Assert.Single(s.Findings, f => f.Code == "ConcurrentNotAsConfigured");
        Assert.Equal(GcFindingSeverity.Info, finding.Severity);
        Assert.Equal("Concurrent is configured as False (DOTNET_gcConcurrent=0) but the GC runs with True: System.GC.Concurrent=true in GcTriage.Fixture.runtimeconfig.json configures it too, and the runtime runs with that.", finding.Message);
        Assert.DoesNotContain(s.Findings, f => f.Code.EndsWith("NotAsConfigured", StringComparison.Ordinal) && f.Code != "ConcurrentNotAsConfigured");
        Assert.Contains(s.Settings, v => v.Name == "DOTNET_gcServer" && v.Value == "1" && v.Source == GcSettingSource.Environment);
        Assert.Contains(s.Settings, v => v.Name == "DOTNET_GCHeapCount" && v.Value == "2" && v.Source == GcSettingSource.Environment);
        Assert.Contains(s.Settings, v => v.Name == "DOTNET_gcConcurrent" && v.Value == "0" && v.Source == GcSettingSource.Environment);
        Assert.Equal(Environment.Version.ToString(3), s.RuntimeVersion);
        Assert.EndsWith("GcTriage.Fixture.runtimeconfig.json", s.RuntimeConfigPath);
        Assert.NotNull(s.HeapSizeBytes);
    }

    [Fact]
    public void DefaultFixtureReportsWorkstation()
    {
        using var fixture = FixtureProcess.Start("alloc");
        GcSetting s = new GcSettingReader().Read(fixture.Id, queryRuntime: true, CancellationToken.None);
        Assert.Equal("Workstation", s.GcMode);
        Assert.Equal(GcSettingSource.Runtime, s.GcModeSource);
        Assert.Equal(1, s.HeapCount);
        Assert.True(s.Concurrent);
        // The fixture's runtimeconfig.json says System.GC.Concurrent: true (ConcurrentGarbageCollection in its project), and the
        // runtime's settings bits agree.
        Assert.Equal(GcSettingSource.Runtime, s.ConcurrentSource);
        Assert.Equal(GcSettingFlags.Concurrent | GcSettingFlags.FrozenSegments | GcSettingFlags.NoAffinitize, s.RuntimeFlags);
        Assert.Contains(s.Settings, v => v.Name == "GCSettingsRundown.BitSettings" && v.Value == "0x15 (Concurrent, FrozenSegments, NoAffinitize)");
        Assert.All(s.Effective, r => Assert.False(r.Differs));
        Assert.Equal(new[] { "GcMode", "HeapCount", "Concurrent", "DATAS", "HeapHardLimit", "ProcessorCount" }, s.Effective.Select(r => r.Name));
        GcEffectiveValue concurrent = Assert.Single(s.Effective, r => r.Name == "Concurrent");
        Assert.Equal(("True", "System.GC.Concurrent=true", GcSettingSource.RuntimeConfig, "True"), (concurrent.Configured, concurrent.ConfiguredBy, concurrent.ConfiguredSource, concurrent.Effective));
        Assert.Equal(GcSettingSource.Derived, s.DynamicAdaptationSource);
        Assert.Equal("Workstation GC has no DATAS", s.DynamicAdaptationReason);
        Assert.Contains(s.Settings, v => v.Name == "System.GC.Server" && v.Value == "false" && v.Source == GcSettingSource.RuntimeConfig);
    }

    [Fact]
    public void ServerGcCappedHeapCountIsNamedWithItsConfiguredValue()
    {
        // GCHeapCount=0x40 (64 heaps) on a machine with fewer CPUs: the GC caps it at the CPUs it may use.
        using var fixture = FixtureProcess.Start("alloc", environment: new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_GCHeapCount"] = "40" });
        GcSetting s = new GcSettingReader().Read(fixture.Id, queryRuntime: true, CancellationToken.None);
        int cpus = Environment.ProcessorCount;
        Assert.True(cpus < 64);
        Assert.Equal(cpus, s.HeapCount);
        GcEffectiveValue heaps = Assert.Single(s.Effective, r => r.Name == "HeapCount");
        Assert.Equal(("64", "DOTNET_GCHeapCount=40 (hexadecimal)", cpus.ToString(), GcSettingSource.Runtime, true), (heaps.Configured, heaps.ConfiguredBy, heaps.Effective, heaps.EffectiveSource, heaps.Differs));
        Assert.Equal($"capped at the {cpus} processor(s) the GC may use", heaps.Why);
        GcFinding finding = Assert.Single(s.Findings, f => f.Code == "HeapCountNotAsConfigured");
        Assert.Equal(GcFindingSeverity.Warning, finding.Severity);
        Assert.Equal($"HeapCount is configured as 64 (DOTNET_GCHeapCount=40 (hexadecimal)) but the GC runs with {cpus}: capped at the {cpus} processor(s) the GC may use.", finding.Message);
        Assert.Equal("switched off by DOTNET_GCHeapCount=40 (a fixed heap count)", s.DynamicAdaptationReason);
    }

    [Fact]
    public void ServerGcUnderOneProcessorRunsAsWorkstation()
    {
        using var fixture = FixtureProcess.Start("alloc", environment: new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_PROCESSOR_COUNT"] = "1" });
        GcSetting s = new GcSettingReader().Read(fixture.Id, queryRuntime: true, CancellationToken.None);
        Assert.Equal(("Workstation", GcSettingSource.Runtime, 1), (s.GcMode, s.GcModeSource, s.ProcessorCount));
        GcEffectiveValue mode = Assert.Single(s.Effective, r => r.Name == "GcMode");
        Assert.Equal(("Server", "DOTNET_gcServer=1", "Workstation", true), (mode.Configured, mode.ConfiguredBy, mode.Effective, mode.Differs));
        Assert.Equal("the runtime sees 1 processor (DOTNET_PROCESSOR_COUNT=1), and Server GC needs more than one", mode.Why);
        GcFinding finding = Assert.Single(s.Findings, f => f.Code == GcFindingRules.ServerGcOnSingleCpu);
        Assert.Equal(GcFindingSeverity.Warning, finding.Severity);
        Assert.Equal("GcMode is configured as Server (DOTNET_gcServer=1) but the GC runs with Workstation: the runtime sees 1 processor (DOTNET_PROCESSOR_COUNT=1), and Server GC needs more than one.", finding.Message);

        // From the configuration alone (no runtime asked) the same outcome is predicted, marked Derived.
        GcSetting configured = GcSettingReader.Compose(new GcSettingReader().CollectConfiguration(fixture.Id, new List<string>(), readCGroup: true));
        Assert.Equal(("Workstation", GcSettingSource.Derived), (configured.GcMode, configured.GcModeSource));
        Assert.Contains(configured.Findings, f => f.Code == GcFindingRules.ServerGcOnSingleCpu);
    }

    [Fact]
    public void ConfiguredModeIsCheapAndMatches()
    {
        using var server = FixtureProcess.Start("alloc", environment: s_serverEnv);
        using var workstation = FixtureProcess.Start("alloc");
        var reader = new GcSettingReader();
        Assert.Equal(new GcModeInfo("Server", false, 2), reader.ReadConfiguredMode(server.Id));
        Assert.Equal(new GcModeInfo("Workstation", true, 1), reader.ReadConfiguredMode(workstation.Id));
    }

    [Fact]
    public void ConfiguredModeOfAMissingProcessIsUnknown()
    {
        Assert.Equal(new GcModeInfo(null, null, null), new GcSettingReader().ReadConfiguredMode(int.MaxValue - 7));
    }

    [Fact]
    public void NoSuchProcess()
    {
        Assert.Throws<ProcessNotFoundException>(() => new GcSettingReader().Read(int.MaxValue - 7, true, CancellationToken.None));
    }

    [Fact]
    public void AStaleSocketOfAnEarlierProcessWithTheSamePidDoesNotMakeAProgramDotNet()
    {
        // A killed .NET process leaves dotnet-diagnostic-<pid>-<its start time>-socket behind; when the pid is reused, the new
        // process has another start time. Here: a real non-.NET process, and such a leftover file with its pid.
        if (!OperatingSystem.IsLinux())
        {
            return; // the socket naming checked is Linux's
        }

        using var sleep = System.Diagnostics.Process.Start("sleep", "60");
        string stale = Path.Combine(Path.GetTempPath(), $"dotnet-diagnostic-{sleep.Id}-1-socket");
        File.WriteAllBytes(stale, Array.Empty<byte>());
        try
        {
            Assert.Contains(sleep.Id, Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient.GetPublishedProcesses()); // the library lists it
            // It maps no runtime, so it is what it is, not a .NET process with a foreign socket; the leftover is named, never used.
            ProcessProbeResult probe = ProcessProbe.Probe(sleep.Id);
            Assert.Equal(ProcessProbeState.NoChannel, probe.State);
            Assert.Equal(stale, probe.RefusedSocketPath);
            Assert.Null(probe.SocketPath);
            Assert.DoesNotContain(sleep.Id, ProcessCatalog.PublishedProcesses().Select(p => p.ProcessId));
            var refused = Assert.Throws<NotDotNetProcessException>(() => ProcessCatalog.EnsureDotNetProcess(sleep.Id));
            Assert.Equal("NotDotNetProcess", refused.ErrorId);
        }
        finally
        {
            File.Delete(stale);
            sleep.Kill();
        }
    }

    [Fact]
    public void ALiveDotNetProcessHasItsCurrentChannel()
    {
        using var fixture = FixtureProcess.Start("gc");
        Assert.Equal(ProcessProbeState.Ready, ProcessProbe.Probe(fixture.Id).State);
        Assert.Contains(fixture.Id, ProcessCatalog.PublishedProcesses().Select(p => p.ProcessId));
        ProcessCatalog.EnsureDotNetProcess(fixture.Id);
    }

    [Fact]
    public void NotDotNetProcess()
    {
        using var sleep = System.Diagnostics.Process.Start("sleep", "60");
        try
        {
            Assert.Throws<NotDotNetProcessException>(() => new GcSettingReader().Read(sleep.Id, true, CancellationToken.None));
        }
        finally
        {
            sleep.Kill();
        }
    }
}
