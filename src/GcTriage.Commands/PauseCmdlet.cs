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
        GcPauseSessionResult? result = null;
        Pump<GcPause[]>(
            (token, hand, progress) =>
            {
                var batch = new List<GcPause>();
                void Hand()
                {
                    if (batch.Count > 0)
                    {
                        hand(batch.ToArray());
                        batch.Clear();
                    }
                }

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
                try
                {
                    result = tracePath is not null
                        ? reader.ReadTrace(tracePath, emit, token, progress)
                        : reader.ReadLive(new GcPauseSessionOptions { ProcessId = processId!.Value, Duration = duration, OutFile = outFile, Force = force, Idle = Hand, Captures = captures }, emit, token, progress);
                }
                finally
                {
                    // What was read before the end, or before a broken trace stopped the reader, still reaches the pipeline.
                    if (!token.IsCancellationRequested)
                    {
                        Hand();
                    }
                }
            },
            pauses =>
            {
                foreach (GcPause pause in pauses)
                {
                    onPause(pause);
                }
            },
            capacity: 64);

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
}
