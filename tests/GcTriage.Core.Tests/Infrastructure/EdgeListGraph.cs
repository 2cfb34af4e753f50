namespace GcTriage.Core.Tests;

/// <summary>A small graph built by hand or at random for the graph algorithms' tests, kept as compressed rows.</summary>
public sealed class EdgeListGraph : IDirectedGraph
{
    private readonly int[] _offsets;
    private readonly int[] _targets;

    public EdgeListGraph(int nodeCount, IEnumerable<(int From, int To)> edges)
    {
        List<(int From, int To)> list = edges.ToList();
        _offsets = new int[nodeCount + 1];
        foreach ((int from, _) in list)
        {
            _offsets[from + 1]++;
        }

        for (int i = 0; i < nodeCount; i++)
        {
            _offsets[i + 1] += _offsets[i];
        }

        _targets = new int[list.Count];
        int[] fill = _offsets[..nodeCount];
        foreach ((int from, int to) in list)
        {
            _targets[fill[from]++] = to;
        }
    }

    public int NodeCount => _offsets.Length - 1;

    public ReadOnlySpan<int> Successors(int node) => _targets.AsSpan(_offsets[node], _offsets[node + 1] - _offsets[node]);

    /// <summary>A chain 0 -> 1 -> ... -> n-1.</summary>
    public static EdgeListGraph Chain(int n) => new(n, Enumerable.Range(0, n - 1).Select(i => (i, i + 1)));
}
