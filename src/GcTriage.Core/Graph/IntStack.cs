namespace GcTriage.Core;

/// <summary>A growable stack of ints (node numbers) for the explicit-stack traversals.</summary>
internal sealed class IntStack
{
    private int[] _items = new int[1024];

    public int Count { get; private set; }

    public void Push(int value)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = value;
    }

    public int Pop() => _items[--Count];
}
