namespace GcTriage;

/// <summary>Where a setting's value came from.</summary>
public enum GcSettingSource
{
    /// <summary>The runtime's default (nothing configured).</summary>
    Default = 0,
    /// <summary>The target's DOTNET_ / COMPlus_ environment variables (read over the diagnostics channel).</summary>
    Environment = 1,
    /// <summary>The target's runtimeconfig.json configProperties.</summary>
    RuntimeConfig = 2,
    /// <summary>Reported by the running runtime itself (EventPipe GC events, runtime counters).</summary>
    Runtime = 3,
    /// <summary>Read from a dump with ClrMD.</summary>
    Dump = 4,
    /// <summary>The operating system (cgroup files, /proc).</summary>
    OperatingSystem = 5,
    /// <summary>Follows from other settings (DATAS off because GCHeapCount is set, Workstation because one CPU is seen); the row's Why says which.</summary>
    Derived = 6,
}

/// <summary>One configured or observed GC knob, with where it came from.</summary>
public sealed class GcSettingValue
{
    /// <summary>The knob as configured, for example "DOTNET_gcServer" or "System.GC.Server", or a runtime figure like "HeapCount".</summary>
    public string Name { get; init; } = "";
    /// <summary>The value as written (hex for DOTNET_ GC variables).</summary>
    public string Value { get; init; } = "";
    public GcSettingSource Source { get; init; }
    /// <summary>The file or channel the value came from (runtimeconfig.json path, "environment", cgroup file).</summary>
    public string? Origin { get; init; }

    public override string ToString() => $"{Name}={Value} ({Source})";
}

public enum GcFindingSeverity
{
    Info = 0,
    Warning = 1,
    Critical = 2,
}

/// <summary>A problem (or notable fact) in how the GC is configured for where it runs.</summary>
public sealed class GcFinding
{
    public GcFindingSeverity Severity { get; init; }
    /// <summary>Stable identifier scripts can match on, for example "ServerGcHeapsExceedCpuQuota".</summary>
    public string Code { get; init; } = "";
    public string Message { get; init; } = "";

    public override string ToString() => $"{Severity} {Code}: {Message}";
}

/// <summary>How a process's GC is configured and runs, where it runs, and what looks wrong about it.</summary>
public sealed class GcSetting
{
    public int? ProcessId { get; init; }
    public string? DumpPath { get; init; }
    /// <summary>Workstation or Server.</summary>
    public string GcMode { get; init; } = "Workstation";
    public GcSettingSource GcModeSource { get; init; }
    /// <summary>Background (concurrent) GC enabled.</summary>
    public bool? Concurrent { get; init; }
    public GcSettingSource ConcurrentSource { get; init; }
    public int? HeapCount { get; init; }
    public GcSettingSource HeapCountSource { get; init; }
    /// <summary>DATAS (dynamic adaptation to application sizes) mode: 0 off, 1 on; null when unknown.</summary>
    public int? DynamicAdaptationMode { get; init; }
    public GcSettingSource DynamicAdaptationSource { get; init; }
    /// <summary>What decided DynamicAdaptationMode when it follows from other settings ("switched off by DOTNET_GCHeapCount=2").</summary>
    public string? DynamicAdaptationReason { get; init; }
    /// <summary>GCHeapHardLimit in bytes, where configured or reported; null when none.</summary>
    public long? HeapHardLimit { get; init; }
    /// <summary>Configured gen0 budget (GCgen0size) in bytes, where set.</summary>
    public long? Gen0Size { get; init; }
    /// <summary>The processor count the runtime sees (Environment.ProcessorCount: affinity, container quota and DOTNET_PROCESSOR_COUNT applied).</summary>
    public int? ProcessorCount { get; init; }
    /// <summary>Logical processors on the machine.</summary>
    public int? MachineProcessorCount { get; init; }
    /// <summary>Container CPU quota in cores (cgroup quota/period), null when unlimited or unknown.</summary>
    public double? CpuQuota { get; init; }
    /// <summary>Container memory limit in bytes, null when unlimited or unknown.</summary>
    public long? MemoryLimitBytes { get; init; }
    /// <summary>The cgroup the target runs in, and its version (1 or 2).</summary>
    public string? CGroupPath { get; init; }
    public int? CGroupVersion { get; init; }
    /// <summary>GC heap size (bytes) when the settings were read, where known.</summary>
    public long? HeapSizeBytes { get; init; }
    /// <summary>Gen2 size (bytes) where known.</summary>
    public long? Gen2SizeBytes { get; init; }
    public string? RuntimeVersion { get; init; }
    public string? RuntimeConfigPath { get; init; }
    /// <summary>The GC's settings bits from its GCSettingsRundown event, decoded; null when the runtime was not asked.</summary>
    public GcSettingFlags? RuntimeFlags { get; init; }
    /// <summary>The main settings as configured and as they run, side by side; a finding names each one that differs.</summary>
    public IReadOnlyList<GcEffectiveValue> Effective { get; init; } = Array.Empty<GcEffectiveValue>();
    /// <summary>Every knob found, with its source.</summary>
    public IReadOnlyList<GcSettingValue> Settings { get; init; } = Array.Empty<GcSettingValue>();
    public IReadOnlyList<GcFinding> Findings { get; set; } = Array.Empty<GcFinding>();
    /// <summary>What could not be read (no permission on the cgroup, environment unavailable...).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();

    public override string ToString() => $"{GcMode}, {HeapCount} heap(s), concurrent={Concurrent}";
}
