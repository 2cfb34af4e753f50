using Microsoft.Diagnostics.NETCore.Client;

namespace GcTriage.Core;

/// <summary>
/// One EventPipe session on a live process, the way every live reader runs one (pauses, allocations, the settings rundown):
/// started through <see cref="DiagnosticsChannel"/> (the probe, the socket's key, a deadline on the start), its socket taken
/// over by <see cref="RawSocketStream"/> (plain blocking reads on the reader's own thread), optionally teed into a file, and
/// stopped once. Modelled on dotnet/diagnostics' EventPipeStreamProvider: one stop routine, each swallowed failure with its
/// reason, no exception for a normal end.
/// </summary>
internal sealed class LiveSession : IDisposable
{
    /// <summary>How long the runtime gets to acknowledge Stop before our end is closed (which ends the reader as well).</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The same after Ctrl+C: the events still in flight are not worth more than this.</summary>
    public static readonly TimeSpan CancelStopTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long the runtime may take to start a session once it answered the channel's first question: enabling GC events waits
    /// for the GC in progress, and the targets this module exists for pause for hundreds of milliseconds, back to back.
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly EventPipeSession _session;
    private int _stopRequested;
    private int _closed;

    private LiveSession(int processId, EventPipeSession session, Stream stream, TeeStream? tee)
    {
        ProcessId = processId;
        _session = session;
        Stream = stream;
        Tee = tee;
    }

    public int ProcessId { get; }

    /// <summary>The stream to parse: the session's socket (taken over), through the tee when there is one.</summary>
    public Stream Stream { get; }

    /// <summary>The copy into -OutFile, if any (its write failure, if one happened, is there).</summary>
    public TeeStream? Tee { get; }

    /// <summary>
    /// Starts a session on <paramref name="processId"/>. <paramref name="copy"/> (owned by the caller) receives every byte read,
    /// and a failure to write it is reported as TraceWriteFailed for <paramref name="copyPath"/>.
    /// </summary>
    public static LiveSession Start(int processId, EventPipeSessionConfiguration configuration, CancellationToken cancellationToken, Stream? copy = null, string? copyPath = null, bool ask = true)
    {
        EventPipeSession session = DiagnosticsChannel.Call(processId, "the runtime to start an EventPipe session",
            client => client.StartEventPipeSession(configuration), cancellationToken, StartTimeout, ask);
        Stream stream = RawSocketStream.Detach(session.EventStream);
        TeeStream? tee = copy is null ? null : new TeeStream(stream, copy, copyPath);
        return new LiveSession(processId, session, tee ?? stream, tee);
    }

    /// <summary>
    /// Asks the runtime to stop the session (it then flushes and ends the stream), once; never call it on the parser's callback
    /// thread. Returns true when the runtime acknowledged; when it does not within <see cref="StopTimeout"/> (stopped, hung, a
    /// reader that no longer reads so the runtime cannot flush), or the call fails (the target is gone), our end is closed, which
    /// ends the reader. Runs on a thread of its own, not the pool's.
    /// </summary>
    public bool Stop() => Stop(StopTimeout);

    /// <summary>Stop with a shorter wait for the acknowledgement: Ctrl+C must end a command within a second.</summary>
    public bool Stop(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) != 0)
        {
            return false;
        }

        Task stop = DedicatedTask.Run(() => _session.Stop());
        bool acknowledged;
        try
        {
            acknowledged = stop.Wait(timeout);
        }
        catch (AggregateException)
        {
            acknowledged = false; // the target is gone or the channel broke: nothing to stop
        }

        if (!acknowledged)
        {
            _ = stop.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            Close();
        }

        return acknowledged;
    }

    /// <summary>Closes our end: the stream (which wakes a blocked read), then the session. Idempotent, any thread.</summary>
    public void Close()
    {
        Volatile.Write(ref _stopRequested, 1);
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            Stream.Dispose();
        }
        catch (IOException)
        {
            // the copy's last flush failed: the failure is already recorded on the tee
        }

        _session.Dispose();
    }

    public void Dispose() => Close();
}
