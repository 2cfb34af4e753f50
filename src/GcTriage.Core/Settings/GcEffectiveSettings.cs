using System.Globalization;

namespace GcTriage.Core;

/// <summary>
/// The main GC settings as configured and as they run, side by side (GcSetting.Effective), each with what overrode the
/// configured value where they differ: Server GC runs as Workstation when the runtime sees one CPU, GCHeapCount is capped at the
/// CPUs the GC may use, a fixed heap count switches DATAS off, a container's memory limit sets a hard limit nobody configured.
/// </summary>
internal static class GcEffectiveSettings
{
    public static List<GcEffectiveValue> Rows(Dictionary<string, GcConfiguredValue> configured, IReadOnlyDictionary<string, string>? runtimeConfig, GcSettingInputs inputs, int cpus,
        string mode, GcSettingSource modeSource, bool? concurrent, GcSettingSource concurrentSource, int? heapCount, GcSettingSource heapSource,
        int? datas, GcSettingSource datasSource, string? datasReason, long? hardLimit, GcSettingFlags? flags)
    {
        string cpuWhy = CpuWhy(configured, inputs, cpus);
        var rows = new List<GcEffectiveValue>();

        configured.TryGetValue("Server", out var server);
        string? modeConfigured = server is null ? null : server.Value != 0 ? "Server" : "Workstation";
        rows.Add(Row("GcMode", modeConfigured, server, mode, modeSource,
            modeConfigured == "Server" && mode == "Workstation" && cpus <= 1 ? $"the runtime sees 1 processor{cpuWhy}, and Server GC needs more than one" : null));

        configured.TryGetValue("HeapCount", out var hc);
        string? heapWhy = null;
        if (hc is not null && heapCount is int h && h != hc.Value)
        {
            heapWhy = mode == "Workstation"
                ? "Workstation GC runs one heap"
                : h < hc.Value && h <= cpus ? $"capped at the {cpus} processor(s) the GC may use{cpuWhy}" : null;
        }

        rows.Add(Row("HeapCount", hc is null || hc.Value <= 0 ? null : N(hc.Value), hc, heapCount is int hh ? N(hh) : "?", heapSource, heapWhy));

        configured.TryGetValue("Concurrent", out var conc);
        rows.Add(Row("Concurrent", conc is null ? null : (conc.Value != 0).ToString(), conc, concurrent?.ToString() ?? "?", concurrentSource,
            conc is not null && concurrent is bool c && c != (conc.Value != 0) ? AlsoConfigured("Concurrent", c ? 1 : 0, conc, runtimeConfig, inputs.RuntimeConfigPath) : null));

        configured.TryGetValue("DynamicAdaptationMode", out var dam);
        rows.Add(Row("DATAS", dam is null ? null : OnOff(dam.Value == 1), dam, datas is int d ? OnOff(d == 1) : "?", datasSource, datasReason));

        configured.TryGetValue("HeapHardLimit", out var hl);
        GcSettingSource limitSource = inputs.Runtime?.HardLimit is long rl && rl > 0 ? GcSettingSource.Runtime
            : hl is not null && hl.Value > 0 ? hl.Source
            : hardLimit is not null ? GcSettingSource.Derived
            : GcSettingSource.Default;
        string? limitWhy = hardLimit is not null && (hl is null || hl.Value <= 0) && flags?.HasFlag(GcSettingFlags.HardLimitConfigured) != true && inputs.CGroup?.MemoryLimitBytes is long mem
            ? $"set from the container's memory limit ({N(mem)} bytes)"
            : null;
        rows.Add(Row("HeapHardLimit", hl is null || hl.Value <= 0 ? null : N(hl.Value), hl, hardLimit is long lim ? N(lim) : "none", limitSource, limitWhy));

        configured.TryGetValue("ProcessorCount", out var pc);
        GcSettingSource cpuSource = pc is not null && pc.Value > 0 ? pc.Source
            : cpus != inputs.MachineProcessorCount ? GcSettingSource.OperatingSystem
            : GcSettingSource.Default;
        rows.Add(Row("ProcessorCount", pc is null || pc.Value <= 0 ? null : N(pc.Value), pc, N(cpus), cpuSource, pc is null && cpuWhy.Length > 0 ? cpuWhy.Trim(' ', '(', ')') : null));
        return rows;
    }

    /// <summary>The findings for the rows whose running value is not the configured one.</summary>
    public static IEnumerable<GcFinding> Findings(GcSetting s, int? cpus)
    {
        foreach (GcEffectiveValue row in s.Effective.Where(r => r.Differs))
        {
            string code = row.Name == "GcMode" && cpus <= 1 ? GcFindingRules.ServerGcOnSingleCpu : row.Name + "NotAsConfigured";
            // A mode or a Server GC heap count other than configured changes how the GC pauses; a knob that has no effect (a heap
            // count under Workstation GC, DATAS under a fixed heap count) is worth knowing only.
            var severity = row.Name == "GcMode" || row.Name == "HeapCount" && s.GcMode == "Server" ? GcFindingSeverity.Warning : GcFindingSeverity.Info;
            yield return new GcFinding
            {
                Severity = severity,
                Code = code,
                Message = $"{row.Name} is configured as {row.Configured} ({row.ConfiguredBy}) but the GC runs with {row.Effective}{(row.Why is null ? "" : ": " + row.Why)}.",
            };
        }
    }

    private static GcEffectiveValue Row(string name, string? configured, GcConfiguredValue? by, string effective, GcSettingSource source, string? why) => new()
    {
        Name = name,
        Configured = configured,
        ConfiguredBy = configured is null || by is null ? null : Knob(by),
        ConfiguredSource = configured is null ? null : by?.Source,
        Effective = effective,
        EffectiveSource = source,
        Differs = configured is not null && !string.Equals(configured, effective, StringComparison.Ordinal),
        Why = why,
    };

    /// <summary>
    /// Where the environment won by the documented precedence but the runtime runs with what runtimeconfig.json says: names that
    /// entry ("System.GC.Concurrent=true in app.runtimeconfig.json configures it too").
    /// </summary>
    private static string? AlsoConfigured(string key, long effective, GcConfiguredValue winner, IReadOnlyDictionary<string, string>? runtimeConfig, string? path)
    {
        GcKnob knob = GcConfigValues.s_knobs.First(k => k.Key == key);
        if (winner.Source != GcSettingSource.Environment || runtimeConfig is null || !runtimeConfig.TryGetValue(knob.ConfigName, out string? raw)
            || !GcConfigValues.TryParseConfigNumber(raw, out long value) || value != effective)
        {
            return null;
        }

        return $"{knob.ConfigName}={raw} in {Path.GetFileName(path)} configures it too, and the runtime runs with that";
    }

    /// <summary>"DOTNET_GCHeapCount=40 (hexadecimal)", "System.GC.Server=true".</summary>
    private static string Knob(GcConfiguredValue v)
    {
        bool hex = v.Source == GcSettingSource.Environment && !v.Name.EndsWith("PROCESSOR_COUNT", StringComparison.Ordinal)
            && v.RawValue.Trim().Length > 0 && v.Value > 9;
        return $"{v.Name}={v.RawValue}{(hex ? " (hexadecimal)" : "")}";
    }

    /// <summary>Why the runtime sees this many CPUs: " (DOTNET_PROCESSOR_COUNT=1)", " (a CPU quota of 0.5)", " (an affinity of 1 CPU)", or "".</summary>
    private static string CpuWhy(Dictionary<string, GcConfiguredValue> configured, GcSettingInputs inputs, int cpus)
    {
        if (configured.TryGetValue("ProcessorCount", out var pc) && pc.Value > 0)
        {
            return $" ({pc.Name}={pc.RawValue})";
        }

        if (inputs.CGroup?.CpuQuotaCores is double q && Math.Ceiling(q) <= cpus)
        {
            return $" (a CPU quota of {q.ToString("0.##", CultureInfo.InvariantCulture)})";
        }

        if (inputs.AffinityCount is int a && a == cpus && a < inputs.MachineProcessorCount)
        {
            return $" (an affinity of {a} CPU(s))";
        }

        return "";
    }

    private static string OnOff(bool on) => on ? "on" : "off";

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
