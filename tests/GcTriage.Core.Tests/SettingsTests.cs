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
        Assert.False(s.Concurrent);
        Assert.Equal(GcSettingSource.Environment, s.ConcurrentSource);
        Assert.Equal(0, s.DynamicAdaptationMode);
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
        // The fixture's runtimeconfig.json says System.GC.Concurrent: true (ConcurrentGarbageCollection in its project).
        Assert.Equal(GcSettingSource.RuntimeConfig, s.ConcurrentSource);
        Assert.Contains(s.Settings, v => v.Name == "System.GC.Server" && v.Value == "false" && v.Source == GcSettingSource.RuntimeConfig);
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
            ProcessProbeResult probe = ProcessProbe.Probe(sleep.Id);
            Assert.Equal(ProcessProbeState.WrongKey, probe.State);
            Assert.Equal(stale, probe.RefusedSocketPath);
            Assert.DoesNotContain(sleep.Id, ProcessCatalog.PublishedProcesses().Select(p => p.ProcessId));
            var refused = Assert.Throws<DiagnosticsSocketMismatchException>(() => ProcessCatalog.EnsureDotNetProcess(sleep.Id));
            Assert.Equal("DiagnosticsSocketMismatch", refused.ErrorId);
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
