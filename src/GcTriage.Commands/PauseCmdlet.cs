using System.Collections.Concurrent;
using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// What Get-GcPause, Measure-GcPause and Watch-GcPause share: reading pauses from a live process or a .nettrace on a worker
/// thread, and handing each one to the pipeline thread as it arrives (a BlockingCollection the pipeline thread drains, the
/// PSEtw pattern). Only the pipeline thread calls WriteObject/WriteWarning; exceptions on the worker are carried over.
/// </summary>
public abstract class PauseCmdlet : GcTriageCmdlet
{
    private const int BatchSize = 512;

    /// <summary>
    /// Runs the pause source and calls <paramref name="onPause"/> on the pipeline thread for each pause <paramref name="filter"/> keeps.
    /// Returns the session result, or null when the pipeline was stopped. Warns when the target exited or events were lost.
    /// </summary>
    protected GcPauseSessionResult? ReadPauses(int? processId, TimeSpan? duration, string? tracePath, string? outFile, bool force,
        Func<GcPause, bool> filter, Action<GcPause> onPause, CaptureLog? captures = null)
    {
        var reader = new GcPauseReader();
        // The reader hands pauses over in batches: a live session one batch per runtime flush (the parser's Idle point), a trace
        // every BatchSize pauses; so the pipeline thread wakes a few dozen times a second, not once per GC (thousands of thread
        // switches a second at a high GC rate cost the listener most of a core). Batches pile up here when the pipeline is
        // slower than the target's GCs: the bound (at most 64 x 512 pauses, about 5 MB) caps that; past it the reader waits
        // and EventPipe's own buffer absorbs bursts.
        // The queue and the token source are disposed only once the worker has ended: if it outlives the join below (a session
        // that does not stop), they are left to the GC rather than disposed under it (its last CompleteAdding would throw on
        // a worker thread, which ends the host).
        var queue = new BlockingCollection<object>(boundedCapacity: 64);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        CancellationToken token = linked.Token;
        GcPauseSessionResult? result = null;
        Exception? failure = null;
        string activity = tracePath is null ? $"GC pauses of process {processId}" : $"Reading {System.IO.Path.GetFileName(tracePath)}";
        var progress = new Progress(queue);
        var worker = new Thread(() =>
        {
            var batch = new List<GcPause>();
            void Hand()
            {
                if (batch.Count > 0)
                {
                    queue.Add(batch.ToArray(), token);
                    batch.Clear();
                }
            }

            try
            {
                Action<GcPause> emit = p =>
                {
                    if (filter(p))
                    {
                        batch.Add(p);
                        if (batch.Count >= BatchSize)
                        {
                            Hand();
                        }
                    }
                };
                result = tracePath is not null
                    ? reader.ReadTrace(tracePath, emit, token, progress)
                    : reader.ReadLive(new GcPauseSessionOptions { ProcessId = processId!.Value, Duration = duration, OutFile = outFile, Force = force, Idle = Hand, Captures = captures }, emit, token, progress);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failure = e; // never let it escape a worker thread: that kills the host
            }
            finally
            {
                // What was read before the end, or before a broken trace stopped the reader, still reaches the pipeline.
                try
                {
                    if (!token.IsCancellationRequested)
                    {
                        Hand();
                    }
                }
                catch (OperationCanceledException)
                {
                }

                queue.CompleteAdding();
            }
        })
        { IsBackground = true, Name = "GcTriage pause reader" };
        worker.Start();

        bool progressShown = false;
        try
        {
            foreach (object item in queue.GetConsumingEnumerable(token))
            {
                if (item is GcProgress p)
                {
                    progressShown = true;
                    WriteProgress(new ProgressRecord(1, activity, p.Status) { PercentComplete = p.PercentComplete });
                }
                else
                {
                    foreach (GcPause pause in (GcPause[])item)
                    {
                        onPause(pause);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            // Select-Object -First, Ctrl+C, or an exception in onPause: stop the session now (from this thread, not the parser's).
            linked.Cancel();
            if (worker.Join(TimeSpan.FromSeconds(15)))
            {
                queue.Dispose();
                linked.Dispose();
            }
            else
            {
                WriteWarning("The EventPipe session did not stop within 15 seconds.");
            }

            if (progressShown)
            {
                WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }

        if (failure is not null)
        {
            if (ErrorMapper.IsReportable(failure) && failure is not GcTriageException)
            {
                throw ErrorCatalog.FromException(failure, processId as object ?? tracePath);
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        if (CancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (result is not null)
        {
            if (result.TargetExited)
            {
                WriteWarning($"Process {processId} exited during the session; {result.PauseCount} GC(s) were seen before it did.");
            }

            if (result.EventsLost > 0)
            {
                WriteWarning($"The runtime dropped {result.EventsLost} event(s) (its session buffer was full); some GCs may be missing or incomplete.");
            }
        }

        return result;
    }

    private sealed class Progress(BlockingCollection<object> queue) : IProgress<GcProgress>
    {
        public void Report(GcProgress value) => queue.TryAdd(value);
    }
}
