namespace GcTriage.Core;

/// <summary>The nodes a marking reached, one bit per node; Truncated when the budget ran out (then a lower bound).</summary>
public sealed class MarkResult
{
    private readonly ulong[] _bits;

    internal MarkResult(ulong[] bits, int nodeCount, long marked, bool truncated)
    {
        _bits = bits;
        NodeCount = nodeCount;
        Marked = marked;
        Truncated = truncated;
    }

    public int NodeCount { get; }
    public long Marked { get; }
    public bool Truncated { get; }

    public bool IsMarked(int node) => (_bits[node >> 6] & (1UL << node)) != 0;
}
