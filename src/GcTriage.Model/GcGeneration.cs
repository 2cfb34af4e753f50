namespace GcTriage;

/// <summary>Where an object lives: the three generations, the large and pinned object heaps, and frozen (non-GC) segments.</summary>
public enum GcGeneration
{
    Gen0 = 0,
    Gen1 = 1,
    Gen2 = 2,
    LOH = 3,
    POH = 4,
    Frozen = 5,
    Unknown = 6,
}
