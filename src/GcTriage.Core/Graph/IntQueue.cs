namespace GcTriage.Core;

/// <summary>A growable ring buffer of ints (node numbers): holds the frontier of a breadth-first search, not every node it saw.</summary>
internal sealed class IntQueue
{
    private int[] _items = new int[1024];
    private int _head;

    public int Count { get; private set; }

    public void Enqueue(int value)
    {
        if (Count == _items.Length)
        {
            var grown = new int[_items.Length * 2];
            int firstPart = _items.Length - _head;
            Array.Copy(_items, _head, grown, 0, firstPart);
            Array.Copy(_items, 0, grown, firstPart, _head);
            _items = grown;
            _head = 0;
        }

        _items[(_head + Count) & (_items.Length - 1)] = value;
        Count++;
    }

    public int Dequeue()
    {
        int value = _items[_head];
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        return value;
    }
}
