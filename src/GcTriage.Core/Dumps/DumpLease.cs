namespace GcTriage.Core;

/// <summary>
/// A reader's hold on a dump session (<see cref="DumpSession.Acquire"/>): while any lease is held, the session keeps its DAC and
/// data target loaded. <see cref="Token"/> is the caller's token linked with the session's own, which Close cancels, so that
/// a reader stops at its next check and hands the session back. Dispose exactly once, on any thread.
/// </summary>
public sealed class DumpLease : IDisposable
{
    private readonly DumpSession _session;
    private readonly CancellationTokenSource _linked;
    private int _disposed;

    internal DumpLease(DumpSession session, CancellationToken sessionToken, CancellationToken cancellationToken)
    {
        _session = session;
        _linked = CancellationTokenSource.CreateLinkedTokenSource(sessionToken, cancellationToken);
    }

    /// <summary>Cancelled when the caller cancels or the session is closed: the token every step of the reader's work uses.</summary>
    public CancellationToken Token => _linked.Token;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _linked.Dispose();
            _session.EndLease();
        }
    }
}
