using System.Collections.Concurrent;
using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// What every GcTriage cmdlet shares: a cancellation source that StopProcessing trips, the error mapping, and a pump that runs
/// Core work on a worker thread while the pipeline thread alone writes objects, progress and errors.
/// </summary>
public abstract class GcTriageCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private bool _disposed;

    protected CancellationToken CancellationToken => _cts.Token;

    protected override void StopProcessing() => _cts.Cancel();

    /// <summary>Non-terminating: one bad input among many.</summary>
    protected void WriteGcError(Exception exception, object? target = null) =>
        WriteError(ErrorMapper.ToErrorRecord(exception, target));

    /// <summary>Terminating: nothing can proceed.</summary>
    protected void ThrowGcError(Exception exception, object? target = null) =>
        ThrowTerminatingError(ErrorMapper.ToErrorRecord(exception, target));

    /// <summary>
    /// The one worker-to-pipeline pump. Runs <paramref name="work"/> on a thread of its own (not the pool's) with a token that
    /// Ctrl+C, a downstream Select-Object -First, or a failure of <paramref name="onItem"/> trips; whatever it emits, and its
    /// progress, reach this (the pipeline) thread through a bounded queue (the PSEtw pattern), where <paramref name="onItem"/>
    /// runs. A worker faster than the pipeline waits on the bound. Every exception of the worker is caught there and rethrown
    /// here, unless the pipeline was stopped. The worker gets <see cref="JoinTimeout"/> to end once stopped; one that does not
    /// is reported and left to end by itself (its queue is then not disposed under it).
    /// </summary>
    protected void Pump<T>(Action<CancellationToken, Action<T>, IProgress<GcProgress>> work, Action<T> onItem, int capacity = 10_000, int progressId = 1)
    {
        var queue = new BlockingCollection<object>(boundedCapacity: capacity);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        CancellationToken token = linked.Token;
        var progress = new QueueProgress(queue);
        Exception? failure = null;
        var task = DedicatedTask.Run(() =>
        {
            try
            {
                work(token, item => queue.Add(item!, token), progress);
            }
            catch (OperationCanceledException)
            {
                // stopped: not a failure
            }
            catch (Exception e)
            {
                failure = e; // never let it escape a worker thread: that kills the host
            }
            finally
            {
                queue.CompleteAdding();
            }
        });

        string? lastActivity = null;
        bool drained = false;
        try
        {
            foreach (object item in queue.GetConsumingEnumerable(token))
            {
                if (item is GcProgress p)
                {
                    lastActivity = p.Activity;
                    WriteProgress(new ProgressRecord(progressId, p.Activity, p.Status) { PercentComplete = p.PercentComplete });
                }
                else
                {
                    onItem((T)item);
                }
            }

            drained = true;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Ctrl+C: the worker sees the same token.
        }
        finally
        {
            // Not drained: the pipeline stopped or onItem failed; stop the worker (its session) now, from this thread.
            if (!drained)
            {
                linked.Cancel();
            }

            if (task.Wait(JoinTimeout))
            {
                queue.Dispose();
                linked.Dispose();
            }
            else
            {
                WriteWarning($"The background work did not stop within {JoinTimeout.TotalSeconds:0} seconds; it is left to end by itself.");
            }

            if (lastActivity is not null)
            {
                WriteProgress(new ProgressRecord(progressId, lastActivity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }

        if (failure is not null && !CancellationToken.IsCancellationRequested)
        {
            // Whatever Core threw reaches the cmdlet as a catalogued GcTriageException (the original kept as its inner).
            if (ErrorMapper.IsReportable(failure) && failure is not GcTriageException)
            {
                throw ErrorCatalog.FromException(failure);
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    /// <summary>How long a stopped worker gets to end before the cmdlet returns without it.</summary>
    protected static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Pump for work whose items are written as they are (WriteObject).</summary>
    protected void Pump<T>(Action<CancellationToken, Action<T>, IProgress<GcProgress>> work, int progressId = 1) =>
        Pump(work, item => WriteObject(item), progressId: progressId);

    /// <summary>Runs work that returns one result on a worker thread, showing its progress.</summary>
    protected T Run<T>(Func<CancellationToken, IProgress<GcProgress>, T> work, int progressId = 1)
    {
        T result = default!;
        Pump<object>((ct, _, progress) => result = work(ct, progress), progressId);
        CancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            DisposeResources();
            _cts.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Closes what this cmdlet opened (sessions opened for -Path, trace sessions).</summary>
    protected virtual void DisposeResources()
    {
    }

    private sealed class QueueProgress(BlockingCollection<object> queue) : IProgress<GcProgress>
    {
        private long _lastTicks;

        public void Report(GcProgress value)
        {
            // At most ~10 progress updates a second reach the host.
            long now = Environment.TickCount64;
            if (now - Interlocked.Read(ref _lastTicks) < 100 && value.PercentComplete is > 0 and < 100)
            {
                return;
            }

            Interlocked.Exchange(ref _lastTicks, now);
            queue.TryAdd(value);
        }
    }
}
