namespace GcTriage.Core;

/// <summary>What a graph build counted besides the edges.</summary>
/// <param name="DroppedPointers">Non-null pointers to no object of the index.</param>
/// <param name="DependentHandleEdges">Edges added for dependent handles (primary to secondary).</param>
/// <param name="BuildTime">Wall time of the build.</param>
internal readonly record struct ReferenceGraphStats(long DroppedPointers, long DependentHandleEdges, TimeSpan BuildTime);
