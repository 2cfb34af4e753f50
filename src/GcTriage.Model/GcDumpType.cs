namespace GcTriage;

/// <summary>The kinds of dump the runtime can write (names as dotnet-dump uses them).</summary>
public enum GcDumpType
{
    /// <summary>All process memory.</summary>
    Full,
    /// <summary>Modules, threads, stacks and the GC heap: what heap analysis needs.</summary>
    Heap,
    /// <summary>Modules, threads and stacks, no heap.</summary>
    Mini,
    /// <summary>A mini dump with personal data (paths, strings) removed.</summary>
    Triage,
}
