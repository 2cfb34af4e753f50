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
    /// Runs <paramref name="work"/> on a worker thread. Whatever it emits, and its progress, are written from this (the pipeline)
    /// thread as they arrive. Exceptions from the worker are rethrown here. Returns when the work ends or the pipeline stops.
    /// </summary>
    protected void Pump<T>(Action<CancellationToken, Action<T>, IProgress<GcProgress>> work, int progressId = 1)
    {
        // Disposed only once the worker has ended (below): a worker that outlives the wait still calls CompleteAdding.
        var queue = new BlockingCollection<object>(boundedCapacity: 10_000);
        var progress = new QueueProgress(queue);
        var task = DedicatedTask.Run(() =>
        {
            try
            {
                work(CancellationToken, item => queue.Add(item!, CancellationToken), progress);
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
            foreach (object item in queue.GetConsumingEnumerable(CancellationToken))
            {
                if (item is GcProgress p)
                {
                    lastActivity = p.Activity;
                    WriteProgress(new ProgressRecord(progressId, p.Activity, p.Status) { PercentComplete = p.PercentComplete });
                }
                else
                {
                    WriteObject(item);
                }
            }

            drained = true;
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or a downstream Select-Object -First: the worker sees the same token.
        }
        finally
        {
            if (!task.IsCompleted)
            {
                // Drained: the worker called CompleteAdding and is only returning; cancelling now would fail a finished call
                // (Run would throw OperationCanceledException). Cancel only when the pipeline stopped or writing failed.
                if (!drained)
                {
                    _cts.Cancel();
                }

                try
                {
                    task.Wait(TimeSpan.FromSeconds(10));
                }
                catch (AggregateException)
                {
                }
            }

            if (task.IsCompleted)
            {
                queue.Dispose();
            }

            if (lastActivity is not null)
            {
                WriteProgress(new ProgressRecord(progressId, lastActivity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }

        if (task.IsFaulted && !CancellationToken.IsCancellationRequested)
        {
            Exception inner = task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception;
            if (inner is OperationCanceledException)
            {
                return;
            }

            // Whatever Core threw reaches the cmdlet as a catalogued GcTriageException (the original kept as its inner).
            if (ErrorMapper.IsReportable(inner) && inner is not GcTriageException)
            {
                throw ErrorCatalog.FromException(inner);
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
        }
    }

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
