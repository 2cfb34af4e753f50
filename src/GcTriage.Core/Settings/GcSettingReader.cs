using System.Diagnostics;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;

namespace GcTriage.Core;

/// <summary>GC mode, background GC and heap count where known (for Get-GcProcess).</summary>
public sealed record GcModeInfo(string? GcMode, bool? Concurrent, int? HeapCount);

/// <summary>Everything a GcSetting is composed from; tests fill it from files laid out like the real ones.</summary>
public sealed record GcSettingInputs
{
    public int? ProcessId { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? EnvironmentOrigin { get; init; }
    public string? RuntimeConfigPath { get; init; }
    public CGroupLimits? CGroup { get; init; }
    public int? AffinityCount { get; init; }
    public int MachineProcessorCount { get; init; } = System.Environment.ProcessorCount;
    public GcRuntimeFacts? Runtime { get; init; }
    /// <summary>Runtime major version (DATAS is on by default for Server GC from .NET 9).</summary>
    public int RuntimeMajorVersion { get; init; } = 10;
    public List<string> Warnings { get; init; } = new();
}

/// <summary>
/// Reads how a process's GC is configured and how it runs: the target's DOTNET_/COMPlus_ environment (over the diagnostics
/// channel, else /proc/&lt;pid&gt;/environ), the runtimeconfig.json next to its entry assembly, its cgroup limits, and what the
/// runtime itself reports. The roots of /proc and /sys/fs/cgroup are injectable for tests.
/// </summary>
public sealed class GcSettingReader
{
    private readonly string _procRoot;
    private readonly CGroupReader _cgroups;

    public GcSettingReader(string procRoot = "/proc", string cgroupRoot = "/sys/fs/cgroup")
    {
        _procRoot = procRoot;
        _cgroups = new CGroupReader(procRoot, cgroupRoot);
    }

    /// <summary>
    /// Cheap (a few milliseconds, no session, nothing attached): GC mode, background GC and heap count as configured
    /// (environment over the diagnostics channel + runtimeconfig.json + defaults). Never throws for an unreadable target: unknown
    /// parts are null.
    /// </summary>
    public GcModeInfo ReadConfiguredMode(int processId, bool useChannel = true)
    {
        try
        {
            var inputs = CollectConfiguration(processId, new List<string>(), readCGroup: true, useChannel: useChannel);
            GcSetting s = Compose(inputs);
            return new GcModeInfo(s.GcMode, s.Concurrent, s.HeapCount);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new GcModeInfo(null, null, null);
        }
    }

    /// <summary>
    /// The full picture for a live process. <paramref name="queryRuntime"/> also asks the runtime (a short EventPipe rundown
    /// session and a non-suspending ClrMD read): the mode and heap count as they run, the hard limit, heap and gen2 sizes.
    /// </summary>
    public GcSetting Read(int processId, bool queryRuntime, CancellationToken cancellationToken, IProgress<GcProgress>? progress = null)
    {
        DiagnosticsChannel.Open(processId, cancellationToken); // exists, not stopped, its own socket, and it answers
        var warnings = new List<string>();
        progress?.Report(new GcProgress("Reading GC settings", "configuration", 10));
        GcSettingInputs inputs;
        try
        {
            inputs = CollectConfiguration(processId, warnings, readCGroup: true, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && !ProcessProbe.Exists(processId))
        {
            // It exited while its configuration was read (a folder of /proc vanishing under the reader).
            throw new TargetProcessExitedException(processId, e);
        }

        if (!ProcessProbe.Exists(processId))
        {
            throw new TargetProcessExitedException(processId);
        }

        GcRuntimeFacts? facts = null;
        if (queryRuntime)
        {
            facts = new GcRuntimeFacts();
            progress?.Report(new GcProgress("Reading GC settings", "runtime rundown", 40));
            try
            {
                GcRuntimeProbe.ReadRundown(processId, facts, cancellationToken);
            }
            catch (ProcessStoppedException) when (ProcessProbe.Exists(processId))
            {
                throw;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!ProcessProbe.Exists(processId))
                {
                    throw new TargetProcessExitedException(processId, e);
                }

                warnings.Add($"The runtime's GC settings rundown could not be read: {e.Message}");
            }

            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new GcProgress("Reading GC settings", "GC globals", 70));
            try
            {
                GcRuntimeProbe.ReadClrMd(processId, facts);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!ProcessProbe.Exists(processId))
                {
                    throw new TargetProcessExitedException(processId, e);
                }

                warnings.Add($"The GC globals could not be read from process memory (heap count and heap sizes are the configured ones): {e.Message}");
            }
        }

        progress?.Report(new GcProgress("Reading GC settings", "done", 100));
        return Compose(inputs with
        {
            Runtime = facts,
            RuntimeMajorVersion = ParseMajor(facts?.RuntimeVersion) ?? inputs.RuntimeMajorVersion,
        });
    }

    /// <summary>Settings of a dump: what the dump session knows (mode and heap count), Source Dump.</summary>
    public static GcSetting FromDump(GcDump dump)
    {
        return new GcSetting
        {
            DumpPath = dump.Path,
            GcMode = dump.GcMode,
            GcModeSource = GcSettingSource.Dump,
            HeapCount = dump.HeapCount,
            HeapCountSource = GcSettingSource.Dump,
            RuntimeVersion = dump.RuntimeVersion,
            Settings = new[]
            {
                new GcSettingValue { Name = "GcMode", Value = dump.GcMode, Source = GcSettingSource.Dump, Origin = dump.Path },
                new GcSettingValue { Name = "HeapCount", Value = dump.HeapCount.ToString(CultureInfo.InvariantCulture), Source = GcSettingSource.Dump, Origin = dump.Path },
            },
        };
    }

    /// <summary>Gathers the configuration sources of a process (environment, runtimeconfig.json, cgroup, affinity).</summary>
    public GcSettingInputs CollectConfiguration(int processId, List<string> warnings, bool readCGroup, CancellationToken cancellationToken = default, bool useChannel = true)
    {
        IReadOnlyDictionary<string, string> env = new Dictionary<string, string>();
        string? envOrigin = null;
        try
        {
            if (!useChannel)
            {
                throw new InvalidOperationException("the diagnostics channel is not used for this process (it is stopped)");
            }

            env = DiagnosticsChannel.Call(processId, "the process's environment", client => client.GetProcessEnvironment(), cancellationToken);
            envOrigin = "diagnostics channel";
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string environ = Path.Combine(_procRoot, processId.ToString(CultureInfo.InvariantCulture), "environ");
            try
            {
                if (File.Exists(environ))
                {
                    env = GcConfigValues.ParseEnvironBlock(File.ReadAllText(environ));
                    envOrigin = environ;
                }
                else
                {
                    warnings.Add($"The target's environment could not be read ({e.Message}); DOTNET_ settings are not included.");
                }
            }
            catch (Exception e2) when (e2 is UnauthorizedAccessException or IOException)
            {
                warnings.Add($"The target's environment could not be read ({e2.Message}); DOTNET_ settings are not included.");
            }
        }

        string? runtimeConfig = null;
        try
        {
            runtimeConfig = FindRuntimeConfig(processId);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            warnings.Add($"The target's runtimeconfig.json could not be located: {e.Message}");
        }

        CGroupLimits? cgroup = null;
        int? affinity = null;
        if (readCGroup)
        {
            try
            {
                cgroup = _cgroups.Read(processId);
                affinity = _cgroups.ReadAffinityCount(processId);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException or FormatException)
            {
                warnings.Add($"The target's cgroup limits could not be read: {e.Message}");
            }
        }

        return new GcSettingInputs
        {
            ProcessId = processId,
            Environment = env,
            EnvironmentOrigin = envOrigin,
            RuntimeConfigPath = runtimeConfig,
            CGroup = cgroup,
            AffinityCount = affinity,
            Warnings = warnings,
        };
    }

    /// <summary>
    /// The runtimeconfig.json of the entry assembly: "dotnet app.dll" gives app.runtimeconfig.json next to app.dll; an apphost
    /// "app" gives app.runtimeconfig.json next to it. Read from &lt;proc&gt;/&lt;pid&gt;/cmdline (and exe) on Linux.
    /// </summary>
    public string? FindRuntimeConfig(int processId)
    {
        string pidDir = Path.Combine(_procRoot, processId.ToString(CultureInfo.InvariantCulture));
        string cmdlineFile = Path.Combine(pidDir, "cmdline");
        List<string> argv;
        string? exe = null;
        if (File.Exists(cmdlineFile))
        {
            argv = File.ReadAllText(cmdlineFile).Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
            string exeLink = Path.Combine(pidDir, "exe");
            try
            {
                exe = new FileInfo(exeLink).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        else
        {
            using var p = Process.GetProcessById(processId);
            exe = p.MainModule?.FileName;
            argv = exe is null ? new List<string>() : new List<string> { exe };
        }

        if (argv.Count == 0)
        {
            return null;
        }

        string host = Path.GetFileNameWithoutExtension(exe ?? argv[0]);
        string? entry = null;
        if (string.Equals(host, "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            for (int i = 1; i < argv.Count; i++)
            {
                if (argv[i] is "exec" or "--roll-forward" or "--runtimeconfig" or "--depsfile" or "--additionalprobingpath" or "--fx-version")
                {
                    if (argv[i] == "--runtimeconfig" && i + 1 < argv.Count)
                    {
                        return argv[i + 1];
                    }

                    if (argv[i] != "exec")
                    {
                        i++;
                    }

                    continue;
                }

                if (argv[i].EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                {
                    entry = argv[i];
                    break;
                }
            }
        }
        else
        {
            entry = exe ?? argv[0];
        }

        if (entry is null)
        {
            return null;
        }

        if (!Path.IsPathRooted(entry))
        {
            string cwd = Path.Combine(pidDir, "cwd");
            try
            {
                string? target = new DirectoryInfo(cwd).LinkTarget;
                if (target is not null)
                {
                    entry = Path.Combine(target, entry);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        string dir = Path.GetDirectoryName(entry) ?? ".";
        string name = Path.GetFileName(entry);
        if (name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
        {
            name = Path.GetFileNameWithoutExtension(name);
        }

        string candidate = Path.Combine(dir, name + ".runtimeconfig.json");
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>Composes the result from its inputs: runtime-reported facts first, then configuration, then defaults.</summary>
    public static GcSetting Compose(GcSettingInputs inputs)
    {
        var warnings = inputs.Warnings;
        Dictionary<string, string>? rc = null;
        if (inputs.RuntimeConfigPath is not null)
        {
            try
            {
                rc = GcConfigValues.ReadRuntimeConfig(inputs.RuntimeConfigPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                warnings.Add($"'{inputs.RuntimeConfigPath}' could not be read: {e.Message}");
            }
        }

        var configured = GcConfigValues.Resolve(inputs.Environment, rc, inputs.RuntimeConfigPath);
        var settings = new List<GcSettingValue>();
        foreach (var v in configured.Values)
        {
            settings.Add(new GcSettingValue { Name = v.Name, Value = v.RawValue, Source = v.Source, Origin = v.Source == GcSettingSource.Environment ? inputs.EnvironmentOrigin : v.Origin });
        }

        GcRuntimeFacts? rt = inputs.Runtime;

        // CPUs the runtime sees: DOTNET_PROCESSOR_COUNT, else min(machine, affinity, ceil(quota)).
        int cpus = inputs.MachineProcessorCount;
        if (inputs.AffinityCount is int aff && aff > 0)
        {
            cpus = Math.Min(cpus, aff);
        }

        double? quota = inputs.CGroup?.CpuQuotaCores;
        if (quota is double q)
        {
            cpus = Math.Max(1, Math.Min(cpus, (int)Math.Ceiling(q)));
        }

        if (configured.TryGetValue("ProcessorCount", out var pc) && pc.Value > 0)
        {
            cpus = (int)pc.Value;
        }

        // Mode: as the runtime runs it, else as configured; Server GC needs more than one CPU (the runtime falls back to Workstation).
        bool serverConfigured = configured.TryGetValue("Server", out var server) && server.Value != 0;
        string mode;
        GcSettingSource modeSource;
        if (rt?.IsServer is bool isServer)
        {
            mode = isServer ? "Server" : "Workstation";
            modeSource = GcSettingSource.Runtime;
        }
        else if (serverConfigured && cpus <= 1)
        {
            mode = "Workstation";
            modeSource = GcSettingSource.Derived;
        }
        else
        {
            mode = serverConfigured ? "Server" : "Workstation";
            modeSource = server?.Source ?? GcSettingSource.Default;
        }

        // Background GC: as the runtime reports it (its settings bits), else as configured (on by default).
        GcSettingFlags? flags = rt?.SettingsBits is uint sb ? (GcSettingFlags)sb : null;
        configured.TryGetValue("Concurrent", out var conc);
        bool? concurrent;
        GcSettingSource concurrentSource;
        if (flags is GcSettingFlags f)
        {
            concurrent = f.HasFlag(GcSettingFlags.Concurrent);
            concurrentSource = GcSettingSource.Runtime;
        }
        else
        {
            concurrent = conc is null || conc.Value != 0;
            concurrentSource = conc?.Source ?? GcSettingSource.Default;
        }

        // Heap count: as the runtime runs it, else one for Workstation, else GCHeapCount capped at the CPUs, else one per CPU.
        int? heapCount;
        GcSettingSource heapSource;
        configured.TryGetValue("HeapCount", out var hc);
        if (rt?.HeapCount is int rtHeaps)
        {
            heapCount = rtHeaps;
            heapSource = GcSettingSource.Runtime;
        }
        else if (mode == "Workstation")
        {
            heapCount = 1;
            heapSource = modeSource == GcSettingSource.Runtime ? GcSettingSource.Runtime : modeSource == GcSettingSource.Derived || hc is not null ? GcSettingSource.Derived : GcSettingSource.Default;
        }
        else if (hc is not null && hc.Value > 0)
        {
            heapCount = (int)Math.Min(hc.Value, cpus);
            heapSource = hc.Value > cpus ? GcSettingSource.Derived : hc.Source;
        }
        else
        {
            heapCount = cpus;
            heapSource = GcSettingSource.Default;
        }

        // DATAS: default on for Server GC from .NET 9; a fixed heap count (GCHeapCount) switches it off; never for Workstation.
        int? datas;
        GcSettingSource datasSource;
        string? datasReason = null;
        configured.TryGetValue("DynamicAdaptationMode", out var dam);
        if (mode == "Workstation")
        {
            datas = 0;
            datasSource = modeSource == GcSettingSource.Default ? GcSettingSource.Default : GcSettingSource.Derived;
            datasReason = datasSource == GcSettingSource.Derived ? "Workstation GC has no DATAS" : null;
        }
        else if (hc is not null && hc.Value > 0)
        {
            datas = 0;
            datasSource = GcSettingSource.Derived;
            datasReason = $"switched off by {hc.Name}={hc.RawValue} (a fixed heap count)";
        }
        else if (dam is not null)
        {
            datas = dam.Value == 1 ? 1 : 0;
            datasSource = dam.Source;
        }
        else
        {
            datas = inputs.RuntimeMajorVersion >= 9 ? 1 : 0;
            datasSource = GcSettingSource.Default;
        }

        // Hard limit: as the runtime reports it, else configured, else 75% of a container limit (the runtime's default).
        long? hardLimit = null;
        if (rt?.HardLimit is long rl && rl > 0)
        {
            hardLimit = rl;
            settings.Add(new GcSettingValue { Name = "GCSettingsRundown.HardLimit", Value = rl.ToString(CultureInfo.InvariantCulture), Source = GcSettingSource.Runtime, Origin = "EventPipe rundown" });
        }
        else if (configured.TryGetValue("HeapHardLimit", out var hl) && hl.Value > 0)
        {
            hardLimit = hl.Value;
        }
        else if (inputs.CGroup?.MemoryLimitBytes is long mem)
        {
            long percent = configured.TryGetValue("HeapHardLimitPercent", out var hlp) && hlp.Value > 0 ? hlp.Value : 75;
            hardLimit = Math.Max(20L << 20, mem * percent / 100);
        }

        long? gen0 = configured.TryGetValue("Gen0Size", out var g0) && g0.Value > 0 ? g0.Value : null;
        if (rt?.Gen0MinBudget is long rg0 && rg0 > 0)
        {
            gen0 = rg0;
            settings.Add(new GcSettingValue { Name = "GCSettingsRundown.Gen0MinBudget", Value = rg0.ToString(CultureInfo.InvariantCulture), Source = GcSettingSource.Runtime, Origin = "EventPipe rundown" });
        }

        if (rt?.SettingsBits is uint bits)
        {
            settings.Add(new GcSettingValue { Name = "GCSettingsRundown.BitSettings", Value = $"0x{bits.ToString("x", CultureInfo.InvariantCulture)} ({(GcSettingFlags)bits})", Source = GcSettingSource.Runtime, Origin = "EventPipe rundown" });
        }

        if (inputs.CGroup is { } cg)
        {
            if (cg.CpuQuotaCores is double cq)
            {
                settings.Add(new GcSettingValue { Name = "CpuQuota", Value = cq.ToString("0.###", CultureInfo.InvariantCulture), Source = GcSettingSource.OperatingSystem, Origin = cg.CpuSource });
            }

            if (cg.MemoryLimitBytes is long ml)
            {
                settings.Add(new GcSettingValue { Name = "MemoryLimit", Value = ml.ToString(CultureInfo.InvariantCulture), Source = GcSettingSource.OperatingSystem, Origin = cg.MemorySource });
            }
        }

        var result = new GcSetting
        {
            ProcessId = inputs.ProcessId,
            GcMode = mode,
            GcModeSource = modeSource,
            Concurrent = concurrent,
            ConcurrentSource = concurrentSource,
            HeapCount = heapCount,
            HeapCountSource = heapSource,
            DynamicAdaptationMode = datas,
            DynamicAdaptationSource = datasSource,
            DynamicAdaptationReason = datasReason,
            RuntimeFlags = flags,
            HeapHardLimit = hardLimit,
            Gen0Size = gen0,
            ProcessorCount = cpus,
            MachineProcessorCount = inputs.MachineProcessorCount,
            CpuQuota = quota,
            MemoryLimitBytes = inputs.CGroup?.MemoryLimitBytes,
            CGroupPath = inputs.CGroup?.Path,
            CGroupVersion = inputs.CGroup?.Version,
            HeapSizeBytes = rt?.HeapSizeBytes,
            Gen2SizeBytes = rt?.Gen2SizeBytes,
            RuntimeVersion = rt?.RuntimeVersion,
            RuntimeConfigPath = inputs.RuntimeConfigPath,
            Settings = settings,
            Warnings = warnings,
            Effective = GcEffectiveSettings.Rows(configured, rc, inputs, cpus, mode, modeSource, concurrent, concurrentSource, heapCount, heapSource,
                datas, datasSource, datasReason, hardLimit, flags),
        };

        result.Findings = GcFindingRules.Evaluate(result);
        return result;
    }

    private static int? ParseMajor(string? version) =>
        version is not null && int.TryParse(version.Split('.')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int m) ? m : null;
}
