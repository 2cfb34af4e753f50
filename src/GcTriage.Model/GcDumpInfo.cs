namespace GcTriage;

/// <summary>How the DAC for a dump was found: the candidate that was used, and every one rejected with why.</summary>
public sealed class GcDacResolution
{
    public string? DacPath { get; init; }
    /// <summary>Where the accepted candidate came from: DacPath, RuntimeFolder, InstalledRuntime, DumpFolder, SearchPath.</summary>
    public string? Source { get; init; }
    /// <summary>Why the candidate was accepted (version match, build-id match, user override).</summary>
    public string? Reason { get; init; }
    public IReadOnlyList<GcDacCandidate> Rejected { get; init; } = Array.Empty<GcDacCandidate>();

    public override string ToString() => $"{DacPath} ({Source}: {Reason})";
}

public sealed class GcDacCandidate
{
    public string Path { get; init; } = "";
    public string Source { get; init; } = "";
    public string Reason { get; init; } = "";
    public override string ToString() => $"{Path}: {Reason}";
}
