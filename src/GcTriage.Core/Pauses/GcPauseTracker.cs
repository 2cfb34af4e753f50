using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace GcTriage.Core;

/// <summary>
/// Builds one <see cref="GcPause"/> per GC from the runtime's GC events (GCStart, GCHeapStats, GCPerHeapHistory, SuspendEE,
/// RestartEE; GCHeapStats, which follows GCEnd at once, closes a GC) and emits it as soon as its data is complete. It holds only
/// the GCs in flight (at most a background GC and one blocking GC), so memory stays flat however long it runs; TraceEvent's
/// TraceLoadedDotNetRuntime, by contrast, keeps every GC it has seen.
/// Pause accounting follows PerfView's GCStats: a blocking GC's pause runs from the SuspendEE start before it to the RestartEE end
/// after it; a background GC is charged with its own suspensions only (the initial one around its GCStart and the later
/// SuspendForGCPrep/final-mark ones made while it runs), not its concurrent duration.
/// </summary>
internal sealed class GcPauseTracker
{
    private int _processId;
    private readonly Action<GcPause> _emit;
    private readonly CaptureLog? _captures;
    private readonly List<Builder> _inFlight = new(4);

    // The suspension currently open (SuspendEEStart seen, RestartEEStop not yet).
    private double? _pauseStart;
    private long _pauseStartQpc;
    private double _pauseSuspendMs;
    private bool _pauseForGc;
    private Builder? _pauseOwner;
    private Builder? _background;
    private double _previousEndMs;

    /// <param name="captures">Captures the module makes during the session: a GC whose span overlaps one is marked OverlapsCapture.</param>
    public GcPauseTracker(int processId, Action<GcPause> emit, CaptureLog? captures = null)
    {
        _processId = processId;
        _emit = emit;
        _captures = captures;
    }

    public long Emitted { get; private set; }

    /// <summary>Relative time (ms since session start) of the last event seen, to close the window.</summary>
    public double LastEventMs { get; private set; }

    public void Subscribe(TraceEventDispatcher source)
    {
        ClrTraceEventParser clr = source.Clr;
        clr.GCSuspendEEStart += OnSuspendStart;
        clr.GCSuspendEEStop += OnSuspendStop;
        clr.GCStart += OnGcStart;
        clr.GCPerHeapHistory += OnPerHeapHistory;
        clr.GCHeapStats += OnHeapStats;
        clr.GCRestartEEStop += OnRestartStop;
    }

    private void OnSuspendStart(GCSuspendEETraceData data)
    {
        Touch(data);
        _pauseStart = data.TimeStampRelativeMSec;
        _pauseStartQpc = Qpc(data);
        _pauseSuspendMs = 0;
        _pauseOwner = null;
        _pauseForGc = data.Reason is GCSuspendEEReason.SuspendForGC or GCSuspendEEReason.SuspendForGCPrep;
    }

    private void OnSuspendStop(GCNoUserDataTraceData data)
    {
        Touch(data);
        if (_pauseStart is double start)
        {
            _pauseSuspendMs = data.TimeStampRelativeMSec - start;
        }
    }

    private void OnGcStart(GCStartTraceData data)
    {
        Touch(data);
        // Anything still in flight that is not a running background GC lost its tail (events dropped): emit what we have.
        for (int i = _inFlight.Count - 1; i >= 0; i--)
        {
            Builder stale = _inFlight[i];
            if (stale != _background)
            {
                _inFlight.RemoveAt(i);
                if (stale.EndMs is not null)
                {
                    Emit(stale);
                }
            }
        }

        var b = new Builder
        {
            Number = data.Count,
            Timestamp = data.TimeStamp.ToUniversalTime(),
            StartMs = data.TimeStampRelativeMSec,
            StartQpc = Qpc(data),
            Generation = data.Depth,
            Reason = data.Reason.ToString(),
            Type = data.Type switch
            {
                GCType.BackgroundGC => GcPauseType.Background,
                GCType.ForegroundGC => GcPauseType.Foreground,
                _ => GcPauseType.NonConcurrent,
            },
        };
        if (_pauseStart is not null)
        {
            _pauseOwner = b;
        }
        else
        {
            b.PauseClosed = true; // no suspension seen (session started mid-GC): nothing to wait for
        }

        if (b.Type == GcPauseType.Background)
        {
            _background = b;
        }

        _inFlight.Add(b);
    }

    private void OnPerHeapHistory(GCPerHeapHistoryTraceData data)
    {
        Touch(data);
        Builder? b = _pauseOwner ?? LastInFlight(b => b.EndMs is null);
        if (b is null)
        {
            return;
        }

        int entries = Math.Min(data.EntriesInGenData, (int)Gens.MaxGenCount);
        long before = 0;
        for (int g = 0; g < entries; g++)
        {
            before += data.GenData((Gens)g).SizeBefore;
        }

        b.HeapBefore = (b.HeapBefore ?? 0) + before;
    }

    private void OnHeapStats(GCHeapStatsTraceData data)
    {
        // GCHeapStats closes each GC: the runtime raises it right after GCEnd (same thread, microseconds later), for blocking and
        // background GCs alike, so GCEnd is not asked for (one event fewer per GC for the target to write). It belongs to the
        // GC started last that has not ended yet: GCs in flight nest (foreground GCs run inside a background one, never across).
        Touch(data);
        Builder? b = LastInFlight(x => x.EndMs is null);
        if (b is null)
        {
            return;
        }

        b.EndMs = data.TimeStampRelativeMSec;
        b.EndQpc = Qpc(data);
        if (b.Type == GcPauseType.Background && b == _pauseOwner)
        {
            // Announced as background, but it ended inside the suspension that started it: the runtime ran it as a blocking
            // collection (seen on a process's first background GC, about one time in three here). GC.GetGCMemoryInfo(GCKind.Background)
            // does not record it as a concurrent gen2 either (generation 0, not concurrent, no pauses). Report it as what it was,
            // blocking; it then completes at its RestartEE like any blocking GC.
            b.Type = GcPauseType.NonConcurrent;
            if (_background == b)
            {
                _background = null;
            }
        }

        b.Gen0 = data.GenerationSize0;
        b.Gen1 = data.GenerationSize1;
        b.Gen2 = data.GenerationSize2;
        b.Loh = data.GenerationSize3;
        b.Poh = data.GenerationSize4;
        b.Promoted = data.TotalPromoted;
        b.Pinned = data.PinnedObjectCount;
        TryComplete(b);
    }

    private void OnRestartStop(GCNoUserDataTraceData data)
    {
        Touch(data);
        if (_pauseStart is not double start)
        {
            return;
        }

        double pause = data.TimeStampRelativeMSec - start;
        Builder? owner = _pauseOwner ?? (_pauseForGc ? _background : null);
        _pauseStart = null;
        _pauseOwner = null;
        if (owner is null)
        {
            return;
        }

        owner.PauseMs += pause;
        owner.SuspendMs += _pauseSuspendMs;
        owner.FirstPauseStartQpc ??= owner.FirstPauseStartMs is null ? _pauseStartQpc : null;
        owner.FirstPauseStartMs ??= start;
        owner.LastPauseEndMs = data.TimeStampRelativeMSec;
        owner.LastPauseEndQpc = Qpc(data);
        owner.PauseClosed = true;
        TryComplete(owner);
    }

    /// <summary>At the end of the stream: emit a GC whose end was seen but whose last event was cut off.</summary>
    public void Flush()
    {
        foreach (Builder b in _inFlight.ToArray())
        {
            if (b.EndMs is not null)
            {
                _inFlight.Remove(b);
                Emit(b);
            }
        }

        _inFlight.Clear();
        _background = null;
    }

    private void TryComplete(Builder b)
    {
        if (b.EndMs is null || !b.PauseClosed)
        {
            return;
        }

        // A blocking GC also waits for its RestartEE (which follows GCHeapStats); a background GC ends at its GCHeapStats.
        if (b == _pauseOwner)
        {
            return;
        }

        _inFlight.Remove(b);
        Emit(b);
    }

    private void Emit(Builder b)
    {
        if (b == _background)
        {
            _background = null;
        }

        double endMs = Math.Max(b.EndMs ?? b.StartMs, b.LastPauseEndMs);
        double startMs = Math.Min(b.StartMs, b.FirstPauseStartMs ?? b.StartMs);
        double interval = endMs - _previousEndMs;
        _previousEndMs = endMs;
        long after = b.Gen0 + b.Gen1 + b.Gen2 + b.Loh + b.Poh;
        string? capture = FindCapture(b);
        Emitted++;
        _emit(new GcPause
        {
            OverlapsCapture = capture is not null,
            OverlappedCapture = capture,
            Number = b.Number,
            Timestamp = b.Timestamp,
            Generation = b.Generation,
            Type = b.Type,
            Reason = b.Reason,
            PauseMs = b.PauseMs,
            SuspendMs = b.SuspendMs,
            // From the first of its pauses (the suspension starts before GCStart) to its end (GCHeapStats) or the end of its last
            // pause: the GC's whole elapsed time, of which PauseMs is a part.
            DurationMs = endMs - startMs,
            HeapBeforeBytes = b.HeapBefore,
            HeapAfterBytes = after,
            PromotedBytes = b.Promoted,
            Gen0SizeBytes = b.Gen0,
            Gen1SizeBytes = b.Gen1,
            Gen2SizeBytes = b.Gen2,
            LohSizeBytes = b.Loh,
            PohSizeBytes = b.Poh,
            PinnedObjects = b.Pinned,
            PauseTimePercent = interval > 0 ? Math.Min(100.0, b.PauseMs * 100.0 / interval) : 0,
            ProcessId = _processId,
        });
    }

    /// <summary>
    /// The capture the GC's span overlaps, on the machine's monotonic clock: the runtime stamps events with QueryPerformanceCounter
    /// (Windows) or clock_gettime(CLOCK_MONOTONIC) in ns (Linux), which is what Stopwatch.GetTimestamp reads in this process (same
    /// counter, same frequency), so an event's raw timestamp (TimeStampQPC) compares directly with the capture's Stopwatch span.
    /// </summary>
    private string? FindCapture(Builder b)
    {
        if (_captures is null || _captures.Count == 0)
        {
            return null;
        }

        long start = Math.Min(b.StartQpc, b.FirstPauseStartQpc ?? b.StartQpc);
        long end = Math.Max(b.EndQpc ?? b.StartQpc, b.LastPauseEndQpc);
        return _captures.FindOverlap(start, end);
    }

    /// <summary>
    /// The event's raw timestamp. TraceEvent discourages it in favour of TimeStampRelativeMSec, which is relative to the session:
    /// the raw value is what compares with this process's Stopwatch (see FindCapture).
    /// </summary>
#pragma warning disable CS0618
    private static long Qpc(TraceEvent data) => data.TimeStampQPC;
#pragma warning restore CS0618

    private Builder? LastInFlight(Func<Builder, bool> predicate)
    {
        for (int i = _inFlight.Count - 1; i >= 0; i--)
        {
            if (predicate(_inFlight[i]))
            {
                return _inFlight[i];
            }
        }

        return null;
    }

    private void Touch(TraceEvent data)
    {
        LastEventMs = data.TimeStampRelativeMSec;
        if (_processId <= 0 && data.ProcessID > 0)
        {
            _processId = data.ProcessID; // a trace file: the process the events came from
        }
    }

    private sealed class Builder
    {
        public long Number;
        public DateTime Timestamp;
        public double StartMs;
        /// <summary>Set by its GCHeapStats, with the sizes after: the GC has ended and its heap figures are in.</summary>
        public double? EndMs;
        public double LastPauseEndMs;
        public double? FirstPauseStartMs;
        /// <summary>The same instants as raw event timestamps (the machine's monotonic clock, in Stopwatch ticks), for CaptureLog.</summary>
        public long StartQpc;
        public long? EndQpc;
        public long LastPauseEndQpc;
        public long? FirstPauseStartQpc;
        public int Generation;
        public GcPauseType Type;
        public string Reason = "";
        public double PauseMs;
        public double SuspendMs;
        public bool PauseClosed;
        public long? HeapBefore;
        public long Gen0, Gen1, Gen2, Loh, Poh, Promoted;
        public int Pinned;
    }
}
