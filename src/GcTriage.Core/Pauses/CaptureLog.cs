using System.Diagnostics;

namespace GcTriage.Core;

/// <summary>
/// The captures (dumps) the module made of a process while a pause session watched it, each as a span of the machine's
/// monotonic clock (<see cref="Stopwatch.GetTimestamp"/>). A dump freezes the whole process, so a GC that runs across it has the
/// freeze in its pause: such a GC is marked <see cref="GcPause.OverlapsCapture"/>. The runtime stamps its events with the same
/// clock (QueryPerformanceCounter on Windows, CLOCK_MONOTONIC on Linux, both what Stopwatch reads), so the comparison needs no
/// wall clock and no margin. A capture is open from just before the module asks for it until the dump is written; a GC emitted
/// while a capture is still open is compared with an open end. Thread-safe: the pipeline thread records captures while the
/// session's parser thread asks about GCs.
/// </summary>
public sealed class CaptureLog
{
    private readonly List<Span> _spans = new();

    /// <summary>Opens a capture span now; disposing the returned scope closes it.</summary>
    public IDisposable Begin(string what)
    {
        var span = new Span(what, Stopwatch.GetTimestamp());
        lock (_spans)
        {
            _spans.Add(span);
        }

        return new Scope(this, span);
    }

    /// <summary>Records a capture that ran from <paramref name="start"/> to <paramref name="end"/> (Stopwatch timestamps).</summary>
    public void Add(string what, long start, long end)
    {
        lock (_spans)
        {
            _spans.Add(new Span(what, start) { End = end });
        }
    }

    public int Count
    {
        get
        {
            lock (_spans)
            {
                return _spans.Count;
            }
        }
    }

    /// <summary>The capture that the span [start, end] (Stopwatch timestamps) overlaps, the first one recorded; null when none.</summary>
    public string? FindOverlap(long start, long end)
    {
        lock (_spans)
        {
            foreach (Span s in _spans)
            {
                if (end > s.Start && (s.End is not long e || start < e))
                {
                    return s.What;
                }
            }
        }

        return null;
    }

    private void Close(Span span)
    {
        lock (_spans)
        {
            span.End ??= Stopwatch.GetTimestamp();
        }
    }

    private sealed class Span(string what, long start)
    {
        public string What { get; } = what;
        public long Start { get; } = start;
        public long? End { get; set; }
    }

    private sealed class Scope(CaptureLog log, Span span) : IDisposable
    {
        public void Dispose() => log.Close(span);
    }
}
