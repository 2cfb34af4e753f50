// TEMPORARY: the same GcFindingSeverity/GcFinding as feature/alloc-settings' GcSetting.cs, until that lands on main.
// Delete this file when merging a main that has src/GcTriage.Model/GcSetting.cs.
namespace GcTriage;

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
