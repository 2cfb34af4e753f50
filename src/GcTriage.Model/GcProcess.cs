namespace GcTriage;

/// <summary>A .NET process reachable over the diagnostics IPC channel.</summary>
public sealed class GcProcess
{
    public int ProcessId { get; init; }
    public string Name { get; init; } = "";
    public string? CommandLine { get; init; }
    public string? RuntimeVersion { get; init; }
    public string? OperatingSystem { get; init; }
    public string? Architecture { get; init; }
    /// <summary>Workstation or Server where known.</summary>
    public string? GcMode { get; init; }
    public bool? Concurrent { get; init; }
    public int? HeapCount { get; init; }

    public override string ToString() => $"{Name} ({ProcessId})";
}
