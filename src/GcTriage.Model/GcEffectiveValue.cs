namespace GcTriage;

/// <summary>
/// One GC setting as configured and as it runs, side by side (Get-GcSetting's Effective rows, and the report's settings table).
/// Differs says the running value is not the configured one, and Why says what overrode it.
/// </summary>
public sealed class GcEffectiveValue
{
    /// <summary>GcMode, HeapCount, Concurrent, DATAS, HeapHardLimit or ProcessorCount.</summary>
    public string Name { get; init; } = "";
    /// <summary>The value configured, in the same terms as Effective (null: nothing configured, the runtime's default applies).</summary>
    public string? Configured { get; init; }
    /// <summary>The knob that configured it, as written ("System.GC.Server=true", "DOTNET_GCHeapCount=40").</summary>
    public string? ConfiguredBy { get; init; }
    public GcSettingSource? ConfiguredSource { get; init; }
    /// <summary>The value the GC runs with (reported by the runtime where it says, else derived from the configuration).</summary>
    public string Effective { get; init; } = "";
    public GcSettingSource EffectiveSource { get; init; }
    /// <summary>Configured and Effective differ.</summary>
    public bool Differs { get; init; }
    /// <summary>What decided the effective value when it is not simply the configured one or the default.</summary>
    public string? Why { get; init; }

    public override string ToString() => $"{Name}: {Configured ?? "(default)"} -> {Effective}{(Differs ? " (differs)" : "")}";
}
