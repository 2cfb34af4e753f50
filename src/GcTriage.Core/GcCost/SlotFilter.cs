namespace GcTriage.Core;

/// <summary>
/// Two bitmaps over 2^bits slots, shared by parallel workers: a hash marks its slot "seen", or "seen again" when it was already
/// seen. A value whose slot was never seen again has no twin; the rest are candidates (true twins, and strangers sharing a slot).
/// </summary>
internal sealed class SlotFilter
{
    private readonly long[] _seen;
    private readonly long[] _again;
    private readonly int _shift;

    public SlotFilter(int bits)
    {
        _seen = new long[Math.Max(1, (1L << bits) / 64)];
        _again = new long[_seen.Length];
        _shift = 64 - bits;
    }

    public void Mark(ulong hash)
    {
        ulong slot = hash >> _shift;
        int word = (int)(slot >> 6);
        long bit = 1L << (int)(slot & 63);
        if ((Volatile.Read(ref _seen[word]) & bit) == 0 && (Interlocked.Or(ref _seen[word], bit) & bit) == 0)
        {
            return;
        }

        if ((Volatile.Read(ref _again[word]) & bit) == 0)
        {
            Interlocked.Or(ref _again[word], bit);
        }
    }

    public bool SeenAgain(ulong hash)
    {
        ulong slot = hash >> _shift;
        return (_again[(int)(slot >> 6)] & (1L << (int)(slot & 63))) != 0;
    }
}
