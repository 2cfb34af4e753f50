namespace GcTriage.Core;

/// <summary>What a breadth-first search does with the edge it just met (see <see cref="GraphTraversal.BreadthFirst"/>).</summary>
public enum EdgeAction
{
    /// <summary>Visit the target if it is new (the usual case).</summary>
    Follow,
    /// <summary>Do not go through this edge (the search still may reach the target another way).</summary>
    Skip,
    /// <summary>End the search now: it found what it wanted.</summary>
    Stop,
}
