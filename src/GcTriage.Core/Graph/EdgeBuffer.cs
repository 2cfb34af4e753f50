namespace GcTriage.Core;

/// <summary>A segment's edges while the graph is built: ints appended in 64K-int chunks (no doubling copies), copied out once.</summary>
internal sealed class EdgeBuffer
{
    private const int ChunkShift = 16;
    private const int ChunkSize = 1 << ChunkShift;

    private readonly List<int[]> _chunks = new();
    private int[] _current = Array.Empty<int>();
    private int _used;

    public long Count { get; private set; }

    public void Add(int target)
    {
        if (_used == _current.Length)
        {
            _current = GC.AllocateUninitializedArray<int>(ChunkSize);
            _chunks.Add(_current);
            _used = 0;
        }

        _current[_used++] = target;
        Count++;
    }

    /// <summary>Copies every edge, in order, to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<int> destination)
    {
        long left = Count;
        int at = 0;
        foreach (int[] chunk in _chunks)
        {
            int n = (int)Math.Min(left, chunk.Length);
            chunk.AsSpan(0, n).CopyTo(destination.Slice(at));
            at += n;
            left -= n;
        }
    }

    /// <summary>Copies the edges from <paramref name="start"/> on into <paramref name="destination"/> (the wide-offset assembly copies a node at a time).</summary>
    public void CopyTo(long start, Span<int> destination)
    {
        while (!destination.IsEmpty)
        {
            int[] chunk = _chunks[(int)(start >> ChunkShift)];
            int from = (int)(start & (ChunkSize - 1));
            int n = Math.Min(destination.Length, ChunkSize - from);
            chunk.AsSpan(from, n).CopyTo(destination);
            destination = destination.Slice(n);
            start += n;
        }
    }

    public void Clear()
    {
        _chunks.Clear();
        _current = Array.Empty<int>();
        _used = 0;
    }
}
