namespace GcTriage;

/// <summary>What a GcFragmentation row covers.</summary>
public enum GcFragmentationScope
{
    /// <summary>One generation over every segment/region of every heap.</summary>
    Generation,
    /// <summary>One segment or region (one generation of it, for an ephemeral segment).</summary>
    Segment,
}
