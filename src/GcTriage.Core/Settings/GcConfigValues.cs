using System.Globalization;
using System.Text.Json;

namespace GcTriage.Core;

/// <summary>One GC knob as configured: its names in the environment and in runtimeconfig.json, and how its value reads.</summary>
internal sealed record GcKnob(string Key, string EnvName, string ConfigName, bool IsBoolean);

/// <summary>The configured value of one knob, and where it came from.</summary>
public sealed record GcConfiguredValue(string Name, string RawValue, long Value, GcSettingSource Source, string? Origin);

/// <summary>
/// Parsing of the GC's configuration sources, the way the runtime reads them: DOTNET_ (then COMPlus_) environment variables,
/// whose numbers are HEXADECIMAL ("DOTNET_GCHeapCount=10" means 16 heaps), win over runtimeconfig.json configProperties,
/// whose numbers are decimal (JSON numbers or strings; "0x" strings are hexadecimal).
/// </summary>
public static class GcConfigValues
{
    internal static readonly GcKnob[] s_knobs =
    {
        new("Server", "gcServer", "System.GC.Server", true),
        new("Concurrent", "gcConcurrent", "System.GC.Concurrent", true),
        new("HeapCount", "GCHeapCount", "System.GC.HeapCount", false),
        new("HeapHardLimit", "GCHeapHardLimit", "System.GC.HeapHardLimit", false),
        new("HeapHardLimitPercent", "GCHeapHardLimitPercent", "System.GC.HeapHardLimitPercent", false),
        new("DynamicAdaptationMode", "GCDynamicAdaptationMode", "System.GC.DynamicAdaptationMode", false),
        new("Gen0Size", "GCgen0size", "System.GC.Gen0Size", false),
        new("NoAffinitize", "GCNoAffinitize", "System.GC.NoAffinitize", true),
        new("HeapAffinitizeMask", "GCHeapAffinitizeMask", "System.GC.HeapAffinitizeMask", false),
        new("ConserveMemory", "GCConserveMemory", "System.GC.ConserveMemory", false),
        new("RetainVM", "GCRetainVM", "System.GC.RetainVM", true),
        new("ProcessorCount", "PROCESSOR_COUNT", "System.Runtime.ProcessorCount", false),
    };

    /// <summary>Parses a /proc/&lt;pid&gt;/environ block (NUL-separated NAME=value).</summary>
    public static Dictionary<string, string> ParseEnvironBlock(string block)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in block.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = entry.IndexOf('=');
            if (eq > 0)
            {
                env[entry[..eq]] = entry[(eq + 1)..];
            }
        }

        return env;
    }

    /// <summary>Reads runtimeconfig.json's runtimeOptions.configProperties as strings (booleans "true"/"false").</summary>
    public static Dictionary<string, string> ReadRuntimeConfig(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (doc.RootElement.TryGetProperty("runtimeOptions", out var options) &&
            options.TryGetProperty("configProperties", out var props) && props.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in props.EnumerateObject())
            {
                result[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.String => p.Value.GetString() ?? "",
                    _ => p.Value.GetRawText(),
                };
            }
        }

        return result;
    }

    /// <summary>A DOTNET_ variable's value: hexadecimal, with or without 0x.</summary>
    public static bool TryParseEnvNumber(string raw, out long value)
    {
        string s = raw.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            s = s[2..];
        }

        return long.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A runtimeconfig.json value: true/false, decimal, or a "0x" hexadecimal string.</summary>
    public static bool TryParseConfigNumber(string raw, out long value)
    {
        string s = raw.Trim();
        if (bool.TryParse(s, out bool b))
        {
            value = b ? 1 : 0;
            return true;
        }

        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return long.TryParse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Every knob that is configured, by the runtime's precedence: DOTNET_x, then COMPlus_x, then runtimeconfig.json.
    /// Keyed by knob (Server, Concurrent, HeapCount, ...).
    /// </summary>
    public static Dictionary<string, GcConfiguredValue> Resolve(IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string>? runtimeConfig, string? runtimeConfigPath)
    {
        var result = new Dictionary<string, GcConfiguredValue>(StringComparer.Ordinal);
        foreach (var knob in s_knobs)
        {
            GcConfiguredValue? found = null;
            foreach (string prefix in new[] { "DOTNET_", "COMPlus_" })
            {
                string name = prefix + knob.EnvName;
                // DOTNET_PROCESSOR_COUNT is the one decimal variable among these; the GC's are hexadecimal.
                if (TryGetEnv(environment, name, out string? actualName, out string? raw) &&
                    (knob.Key == "ProcessorCount" ? long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) : TryParseEnvNumber(raw!, out v)))
                {
                    found = new GcConfiguredValue(actualName!, raw!, v, GcSettingSource.Environment, "environment");
                    break;
                }
            }

            if (found is null && runtimeConfig is not null && runtimeConfig.TryGetValue(knob.ConfigName, out string? cfg) && TryParseConfigNumber(cfg, out long cv))
            {
                found = new GcConfiguredValue(knob.ConfigName, cfg, cv, GcSettingSource.RuntimeConfig, runtimeConfigPath);
            }

            if (found is not null)
            {
                result[knob.Key] = found;
            }
        }

        return result;
    }

    private static bool TryGetEnv(IReadOnlyDictionary<string, string> environment, string name, out string? actualName, out string? value)
    {
        if (environment.TryGetValue(name, out value))
        {
            actualName = name;
            return true;
        }

        // Windows matches environment names case-insensitively; Unix only by exact case, as the runtime does there.
        if (OperatingSystem.IsWindows())
        {
            foreach (var kv in environment)
            {
                if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    actualName = kv.Key;
                    value = kv.Value;
                    return true;
                }
            }
        }

        actualName = null;
        return false;
    }
}
