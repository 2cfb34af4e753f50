using System.Text;
using GcTriage.Core;

namespace GcTriage.Core.Tests;

/// <summary>
/// Findings from fixture data in the real formats: a fake /proc/&lt;pid&gt; (cgroup, environ, cmdline, status), a fake
/// /sys/fs/cgroup (v2 or v1 files), a runtimeconfig.json next to a fake entry assembly.
/// </summary>
public sealed class FindingsTests : IDisposable
{
    // A pid that cannot exist (above any pid_max), so the diagnostics channel is never reached and /proc/<pid>/environ is read.
    private const int Pid = 4_999_999;
    private readonly TempDirectory _temp = new();

    private string Proc => Path.Combine(_temp.Path, "proc");
    private string CGroup => Path.Combine(_temp.Path, "cgroup");
    private string PidDir => Path.Combine(Proc, Pid.ToString());

    public void Dispose() => _temp.Dispose();

    private void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private void Layout(IDictionary<string, string>? env = null, string? runtimeConfigJson = null, int cgroupVersion = 2,
        string? cpuMax = null, string? memoryMax = null, string? cfsQuota = null, string? memoryLimitInBytes = null, string cpus = "0-7")
    {
        var environ = new StringBuilder("PATH=/usr/bin\0HOME=/root\0");
        foreach (var kv in env ?? new Dictionary<string, string>())
        {
            environ.Append(kv.Key).Append('=').Append(kv.Value).Append('\0');
        }

        Write(Path.Combine(PidDir, "environ"), environ.ToString());
        string app = Path.Combine(_temp.Path, "app", "Api.dll");
        Write(app, "");
        Write(Path.Combine(PidDir, "cmdline"), $"/usr/share/dotnet/dotnet\0{app}\0--urls\0http://+:80\0");
        if (runtimeConfigJson is not null)
        {
            Write(Path.Combine(_temp.Path, "app", "Api.runtimeconfig.json"), runtimeConfigJson);
        }

        Write(Path.Combine(PidDir, "status"), $"Name:\tdotnet\nState:\tS (sleeping)\nCpus_allowed:\tff\nCpus_allowed_list:\t{cpus}\nMems_allowed_list:\t0\n");
        if (cgroupVersion == 2)
        {
            Write(Path.Combine(PidDir, "cgroup"), "0::/kubepods/pod1/api\n");
            Write(Path.Combine(CGroup, "cgroup.controllers"), "cpuset cpu io memory pids\n");
            if (cpuMax is not null)
            {
                Write(Path.Combine(CGroup, "kubepods/pod1/api/cpu.max"), cpuMax + "\n");
            }

            if (memoryMax is not null)
            {
                Write(Path.Combine(CGroup, "kubepods/pod1/api/memory.max"), memoryMax + "\n");
            }
        }
        else
        {
            Write(Path.Combine(PidDir, "cgroup"), "12:pids:/docker/abc\n4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n0::/\n");
            Write(Path.Combine(CGroup, "cpu/docker/abc/cpu.cfs_quota_us"), (cfsQuota ?? "-1") + "\n");
            Write(Path.Combine(CGroup, "cpu/docker/abc/cpu.cfs_period_us"), "100000\n");
            Write(Path.Combine(CGroup, "memory/docker/abc/memory.limit_in_bytes"), (memoryLimitInBytes ?? "9223372036854771712") + "\n");
        }
    }

    private GcSetting Compose(GcRuntimeFacts? runtime = null, int machineCpus = 8)
    {
        var reader = new GcSettingReader(Proc, CGroup);
        var inputs = reader.CollectConfiguration(Pid, new List<string>(), readCGroup: true);
        return GcSettingReader.Compose(inputs with { Runtime = runtime, MachineProcessorCount = machineCpus });
    }

    [Fact]
    public void ServerGcWithMoreHeapsThanTheQuotaIsCritical()
    {
        // Half a CPU (cgroup v2), and the runtime reports 8 Server GC heaps (it was told there are 8 CPUs).
        Layout(env: new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_PROCESSOR_COUNT"] = "8" }, cpuMax: "50000 100000");
        GcSetting s = Compose(new GcRuntimeFacts { IsServer = true, HeapCount = 8 });

        Assert.Equal(0.5, s.CpuQuota);
        Assert.Equal("Server", s.GcMode);
        Assert.Equal(GcSettingSource.Runtime, s.GcModeSource);
        Assert.Equal(8, s.HeapCount);
        Assert.Equal(8, s.ProcessorCount);
        var f = Assert.Single(s.Findings);
        Assert.Equal(GcFindingRules.ServerGcHeapsExceedCpuQuota, f.Code);
        Assert.Equal(GcFindingSeverity.Critical, f.Severity);
        Assert.StartsWith("Server GC with 8 heaps under a 0.5 CPU quota", f.Message);
    }

    [Fact]
    public void ServerGcHeapsFromConfigurationUnderV1Quota()
    {
        // cgroup v1: 150000/100000 = 1.5 CPUs; GCHeapCount is hexadecimal: "A" = 10, PROCESSOR_COUNT decimal 16.
        Layout(env: new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_GCHeapCount"] = "A", ["DOTNET_PROCESSOR_COUNT"] = "16" },
            cgroupVersion: 1, cfsQuota: "150000");
        GcSetting s = Compose();

        Assert.Equal(1, s.CGroupVersion);
        Assert.Equal(1.5, s.CpuQuota);
        Assert.Null(s.MemoryLimitBytes);
        Assert.Equal("Server", s.GcMode);
        Assert.Equal(GcSettingSource.Environment, s.GcModeSource);
        Assert.Equal(10, s.HeapCount);
        Assert.Equal(GcSettingSource.Environment, s.HeapCountSource);
        Assert.Equal(0, s.DynamicAdaptationMode); // GCHeapCount set: DATAS off
        var f = Assert.Single(s.Findings);
        Assert.Equal(GcFindingRules.ServerGcHeapsExceedCpuQuota, f.Code);
        Assert.Equal(GcFindingSeverity.Critical, f.Severity);
    }

    [Fact]
    public void ServerGcWithinQuotaHasNoFinding()
    {
        Layout(runtimeConfigJson: """{ "runtimeOptions": { "configProperties": { "System.GC.Server": true } } }""", cpuMax: "200000 100000");
        GcSetting s = Compose();
        Assert.Equal("Server", s.GcMode);
        Assert.Equal(GcSettingSource.RuntimeConfig, s.GcModeSource);
        Assert.Equal(2, s.HeapCount); // ceil(2.0) CPUs visible
        Assert.Equal(1, s.DynamicAdaptationMode); // DATAS on by default for Server GC on .NET 9+
        Assert.Empty(s.Findings);
    }

    [Fact]
    public void HeapCloseToTheContainerMemoryLimit()
    {
        // memory.max 1 GiB; default hard limit is 75% of it (768 MiB); heap 700 MiB = 91% of the hard limit.
        Layout(memoryMax: "1073741824", cpuMax: "max 100000");
        GcSetting s = Compose(new GcRuntimeFacts { HeapSizeBytes = 700L << 20, Gen2SizeBytes = 600L << 20 });

        Assert.Equal(1073741824, s.MemoryLimitBytes);
        Assert.Null(s.CpuQuota);
        Assert.Equal(805306368, s.HeapHardLimit);
        var f = Assert.Single(s.Findings);
        Assert.Equal(GcFindingRules.HeapNearMemoryLimit, f.Code);
        Assert.Equal(GcFindingSeverity.Critical, f.Severity);
        Assert.Contains("91%", f.Message);
    }

    [Fact]
    public void HeapCloseToTheConfiguredHardLimitIsAWarning()
    {
        // runtimeconfig hard limit 0x20000000 (512 MiB) as a hex string; heap 420 MiB = 82%.
        Layout(runtimeConfigJson: """{ "runtimeOptions": { "configProperties": { "System.GC.HeapHardLimit": "0x20000000" } } }""");
        GcSetting s = Compose(new GcRuntimeFacts { HeapSizeBytes = 420L << 20 });
        Assert.Equal(512L << 20, s.HeapHardLimit);
        var f = Assert.Single(s.Findings);
        Assert.Equal(GcFindingRules.HeapNearMemoryLimit, f.Code);
        Assert.Equal(GcFindingSeverity.Warning, f.Severity);
        Assert.Contains("heap hard limit", f.Message);
    }

    [Fact]
    public void ConcurrentGcDisabledWithLargeGen2()
    {
        Layout(runtimeConfigJson: """{ "runtimeOptions": { "configProperties": { "System.GC.Concurrent": false } } }""");
        GcSetting s = Compose(new GcRuntimeFacts { HeapSizeBytes = 3L << 30, Gen2SizeBytes = 2L << 30 });
        Assert.False(s.Concurrent);
        Assert.Equal(GcSettingSource.RuntimeConfig, s.ConcurrentSource);
        var f = Assert.Single(s.Findings);
        Assert.Equal(GcFindingRules.ConcurrentDisabledLargeGen2, f.Code);
        Assert.Equal(GcFindingSeverity.Warning, f.Severity);
    }

    [Fact]
    public void ConcurrentGcDisabledWithSmallGen2IsFine()
    {
        Layout(env: new Dictionary<string, string> { ["COMPlus_gcConcurrent"] = "0" });
        GcSetting s = Compose(new GcRuntimeFacts { HeapSizeBytes = 300L << 20, Gen2SizeBytes = 200L << 20 });
        Assert.False(s.Concurrent);
        Assert.Equal(GcSettingSource.Environment, s.ConcurrentSource);
        Assert.Empty(s.Findings);
    }

    [Fact]
    public void VeryLargeGen0Budget()
    {
        // DOTNET_GCgen0size is hexadecimal: 0x20000000 = 512 MiB.
        Layout(env: new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "20000000" });
        GcSetting s = Compose();
        Assert.Equal(512L << 20, s.Gen0Size);
        var f = Assert.Single(s.Findings);
        Assert.Equal(GcFindingRules.LargeGen0Budget, f.Code);
        Assert.Contains(s.Settings, v => v.Name == "DOTNET_GCgen0size" && v.Value == "20000000" && v.Source == GcSettingSource.Environment);
    }

    [Fact]
    public void EnvironmentWinsOverRuntimeConfig()
    {
        Layout(env: new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["COMPlus_gcServer"] = "1" },
            runtimeConfigJson: """{ "runtimeOptions": { "configProperties": { "System.GC.Server": true, "System.GC.HeapCount": 4 } } }""");
        GcSetting s = Compose();
        Assert.Equal("Workstation", s.GcMode);
        Assert.Equal(GcSettingSource.Environment, s.GcModeSource);
        Assert.Equal(1, s.HeapCount);
        Assert.Contains(s.Settings, v => v.Name == "DOTNET_gcServer" && v.Value == "0");
        Assert.Contains(s.Settings, v => v.Name == "System.GC.HeapCount" && v.Value == "4" && v.Source == GcSettingSource.RuntimeConfig);
        Assert.EndsWith("Api.runtimeconfig.json", s.RuntimeConfigPath);
        // The heap count configured in runtimeconfig.json has no effect under the Workstation GC the environment chose.
        GcFinding f = Assert.Single(s.Findings);
        Assert.Equal(("HeapCountNotAsConfigured", GcFindingSeverity.Info), (f.Code, f.Severity));
        Assert.Equal("HeapCount is configured as 4 (System.GC.HeapCount=4) but the GC runs with 1: Workstation GC runs one heap.", f.Message);
        GcEffectiveValue mode = Assert.Single(s.Effective, r => r.Name == "GcMode");
        Assert.Equal(("Workstation", "DOTNET_gcServer=0", GcSettingSource.Environment, "Workstation", false), (mode.Configured, mode.ConfiguredBy, mode.ConfiguredSource, mode.Effective, mode.Differs));
    }

    [Fact]
    public void UnreadableCGroupIsAWarningNotAFailure()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            // root reads files whatever their mode: nothing to prove here.
            Layout(cpuMax: "50000 100000");
            Assert.Equal(0.5, Compose().CpuQuota);
            return;
        }

        Layout(cpuMax: "50000 100000");
        File.SetUnixFileMode(Path.Combine(PidDir, "cgroup"), UnixFileMode.None);
        GcSetting s = Compose();
        Assert.Null(s.CpuQuota);
        Assert.Contains(s.Warnings, w => w.Contains("cgroup", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("max 100000", null)]
    [InlineData("50000 100000", 0.5)]
    [InlineData("250000 100000", 2.5)]
    public void CpuMaxFormat(string content, double? cores) => Assert.Equal(cores, CGroupReader.ParseCpuMax(content));

    [Theory]
    [InlineData("max", null)]
    [InlineData("9223372036854771712", null)]
    [InlineData("536870912", 536870912L)]
    public void MemoryLimitFormat(string content, long? bytes) => Assert.Equal(bytes, CGroupReader.ParseLimit(content));

    [Fact]
    public void CpuListCount() => Assert.Equal(7, CGroupReader.CountCpuList("0-3,8,10-11"));
}
