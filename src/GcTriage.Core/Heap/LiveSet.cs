using System.Diagnostics;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>How much heap-graph work a call may do (roots, retained sizes, -Live) before it stops and says Truncated.</summary>
/// <param name="MaxNodes">Objects visited at most.</param>
/// <param name="MaxTime">Wall time at most.</param>
public sealed record GraphBudget(long MaxNodes, TimeSpan MaxTime)
{
    public static GraphBudget Default { get; } = new(500_000_000, TimeSpan.FromMinutes(10));

    internal bool Exceeded(long nodes, Stopwatch clock) => nodes >= MaxNodes || clock.Elapsed >= MaxTime;
}

/// <summary>
/// The objects reachable from the roots (stacks, handles, statics, the finalizer queue), as one bit per index position.
/// Truncated when the budget ran out: then unmarked objects may still be live, and the set is a lower bound.
/// </summary>
public sealed class LiveSet
{
    private readonly ulong[] _bits;

    private LiveSet(ulong[] bits, long count, bool truncated)
    {
        _bits = bits;
        LiveCount = count;
        Truncated = truncated;
    }

    public long LiveCount { get; }
    public bool Truncated { get; }

    public bool IsLive(long index) => index >= 0 && (_bits[index >> 6] & (1UL << (int)(index & 63))) != 0;

    internal static LiveSet Mark(ClrHeap heap, HeapIndex index, GraphBudget budget, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        var bits = new ulong[(index.Count + 63) / 64];
        var stack = new Stack<ulong>();
        var clock = Stopwatch.StartNew();
        long marked = 0;
        bool truncated = false;

        bool TryMark(ulong address)
        {
            long i = index.IndexOf(address);
            if (i < 0)
            {
                return false;
            }

            ref ulong word = ref bits[i >> 6];
            ulong bit = 1UL << (int)(i & 63);
            if ((word & bit) != 0)
            {
                return false;
            }

            word |= bit;
            marked++;
            return true;
        }

        progress?.Report(new GcProgress("Marking live objects", "roots", -1));
        foreach (ClrRoot root in heap.EnumerateRoots())
        {
            if (TryMark(root.Object.Address))
            {
                stack.Push(root.Object.Address);
            }

            while (stack.Count > 0)
            {
                ulong address = stack.Pop();
                ClrObject obj = heap.GetObject(address);
                if (obj.Type is null)
                {
                    continue;
                }

                foreach (ulong child in obj.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
                {
                    if (TryMark(child))
                    {
                        stack.Push(child);
                    }
                }

                if ((marked & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (budget.Exceeded(marked, clock))
                    {
                        truncated = true;
                        break;
                    }

                    progress?.Report(new GcProgress("Marking live objects", $"{marked:N0} live objects", (int)Math.Min(99, 100 * marked / Math.Max(1, index.Count))));
                }
            }

            if (truncated)
            {
                break;
            }
        }

        return new LiveSet(bits, marked, truncated);
    }
}
