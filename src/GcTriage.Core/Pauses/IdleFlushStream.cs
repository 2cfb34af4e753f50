using System.Reflection;
using Microsoft.Diagnostics.Tracing;

namespace GcTriage.Core;

/// <summary>
/// Cuts the parser's share of the GC-to-object latency. TraceEvent's EventPipeEventSource queues the events of each EventBlock
/// per thread and dispatches them only when a later "sorted" event or a SequencePoint block arrives (to merge threads in
/// timestamp order). The runtime writes a SequencePoint only every 10 MB of events, so on a quiet GC-only session the last
/// events of a GC (GCEnd, GCHeapStats, RestartEE) can sit in that queue until the next GC or the end of the session: seconds.
/// This stream sits under the parser and reads the socket in chunks of up to 64 KB (whatever is there, never waiting to fill);
/// each time the parser has consumed a chunk and asks for more, every complete block before that point has been parsed, and it
/// asks TraceEvent's event cache to dispatch what it holds (EventCache.Flush, what a SequencePoint does) before reading on. The cost: events of different threads that straddle two runtime flushes may come out of timestamp
/// order; the pause tracker only pairs events of one GC, which one thread writes in order.
/// The cache is reached by reflection (TraceEvent 4.0 keeps it internal); if that fails, latency falls back to TraceEvent's own.
/// </summary>
internal sealed class IdleFlushStream(Stream inner) : ForwardOnlyStream
{
    // The parser reads a few bytes at a time (headers of 1, 4, 13 bytes): one socket read each would cost a system call per field.
    // Read whatever the socket has, up to 64 KB, and serve the parser from that; never wait to fill the buffer.
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private Action? _flush;

    public long FlushCount { get; private set; }

    /// <summary>Called after each parser flush, before the socket is read again: everything received so far has been dispatched.</summary>
    public Action? OnIdle { get; init; }

    /// <summary>Bytes read from the inner stream so far.</summary>
    public long BytesRead { get; private set; }

    private EventPipeEventSource? _source;
    private int _resolveAttempts;

    /// <summary>The parser creates its event cache once it has read the trace header: resolve it lazily.</summary>
    public void AttachTo(EventPipeEventSource source) => _source = source;

    private void TryResolve()
    {
        if (_source is null || _resolveAttempts++ > 10_000)
        {
            return;
        }

        try
        {
            PropertyInfo? cacheProperty = typeof(EventPipeEventSource).GetProperty("EventCache", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
            object? cache = cacheProperty?.GetValue(_source);
            MethodInfo? flush = cache?.GetType().GetMethod("Flush", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);
            if (cache is not null && flush is not null)
            {
                _flush = (Action)Delegate.CreateDelegate(typeof(Action), cache, flush);
                _source = null;
            }
        }
        catch (Exception e) when (e is TargetInvocationException or ArgumentException or MemberAccessException)
        {
            _source = null;
        }
    }

    public bool CanFlushParser => _flush is not null;

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }

        if (_start == _end)
        {
            BeforeRead();
            _start = 0;
            _end = inner.Read(_buffer, 0, _buffer.Length);
            if (_end <= 0)
            {
                _end = 0;
                return 0;
            }

            BytesRead += _end;
        }

        int n = Math.Min(buffer.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(buffer);
        _start += n;
        return n;
    }

    private void BeforeRead()
    {
        if (_flush is null)
        {
            TryResolve();
        }

        // Every complete block in the chunk just consumed has been parsed: dispatch what the cache holds. On a busy stream too:
        // the runtime's SequencePoints come only every 10 MB, which at thousands of GCs per second held events for seconds
        // and kept up to 10 MB of blocks alive.
        if (_flush is not null)
        {
            FlushCount++;
            _flush();
        }

        OnIdle?.Invoke();
    }
}
