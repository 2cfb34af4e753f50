using System.Diagnostics;
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace GcTriage.Core;

/// <summary>How a pause session ended.</summary>
public sealed class GcPauseSessionResult
{
    public long PauseCount { get; init; }
    /// <summary>The target exited during the session (the GCs seen so far were emitted).</summary>
    public bool TargetExited { get; init; }
    /// <summary>The session was stopped by cancellation (Ctrl+C, Select-Object -First).</summary>
    public bool Cancelled { get; init; }
    /// <summary>Events the runtime dropped (its circular buffer was full), as the trace reports it.</summary>
    public int EventsLost { get; init; }
    /// <summary>Length of the observed window in ms (session start to last event, or to the stop).</summary>
    public double WindowMs { get; init; }
    /// <summary>The raw trace kept with OutFile, if any.</summary>
    public string? OutFile { get; init; }
    /// <summary>Bytes of the event stream read from the runtime (a live session; the file's length for a trace).</summary>
    public long StreamBytes { get; init; }
}

/// <summary>Options of a live pause session.</summary>
public sealed class GcPauseSessionOptions
{
    public int ProcessId { get; init; }
    /// <summary>Stop after this long; null: until cancelled or the target exits.</summary>
    public TimeSpan? Duration { get; init; }
    /// <summary>Keep the raw .nettrace stream here while parsing it (file mode 0600).</summary>
    public string? OutFile { get; init; }
    /// <summary>Overwrite OutFile when it exists.</summary>
    public bool Force { get; init; }
    /// <summary>Size of the runtime's circular buffer for this session.</summary>
    public int BufferSizeMB { get; init; } = 16;
    /// <summary>Called once the runtime has accepted the session (events from now on are seen).</summary>
    public Action? SessionStarted { get; init; }
    /// <summary>
    /// Called on the parser's thread each time it has dispatched everything the runtime sent so far and is about to wait for
    /// more: a consumer that batches what <c>emit</c> gives it hands its batch over here, one wake-up per runtime flush instead of
    /// one per GC.
    /// </summary>
    public Action? Idle { get; init; }
    /// <summary>Captures (dumps) made of the process during the session: GCs that overlap one are marked <see cref="GcPause.OverlapsCapture"/>.</summary>
    public CaptureLog? Captures { get; init; }
}

/// <summary>
/// Reads GC pauses from a live process (an EventPipe session on Microsoft-Windows-DotNETRuntime, keyword GC (0x1), level
/// Informational) or from a .nettrace file, and emits one <see cref="GcPause"/> per GC as soon as the GC is complete.
/// </summary>
public sealed class GcPauseReader
{
    public const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    public const long GcKeyword = 0x1;

    /// <summary>
    /// The runtime events the tracker reads (ids of Microsoft-Windows-DotNETRuntime): GCStart 1, GCRestartEEEnd 3, GCHeapStats 4,
    /// GCSuspendEEEnd 8, GCSuspendEEBegin 9, GCPerHeapHistory 204. A live session asks the runtime for these only: the GC keyword
    /// at Informational also raises GCEnd (GCHeapStats follows it at once and closes a GC just as well), GCMarkWithType (one per
    /// root kind, four to seven per GC), GCGlobalHeapHistory, GCTriggered, GCCreateSegment, GCFinalizersBegin/End and
    /// GCRestartEEBegin. The runtime writes each event inside the GC's pause (these six lengthen each pause by 5-13 µs here by
    /// run, against about 22 µs for the whole keyword: bench/PauseFloor.Bench.ps1), so the tracker asks for no event it does not read.
    /// With OutFile the session records the whole GC keyword, as dotnet-trace's gc-collect profile does, for PerfView later.
    /// </summary>
    public static readonly IReadOnlyList<uint> TrackedEventIds = new uint[] { 1, 3, 4, 8, 9, 204 };

    /// <summary>Reads a .nettrace file (from this module or dotnet-trace). Throws TraceFormatException when it is cut short.</summary>
    public GcPauseSessionResult ReadTrace(string path, Action<GcPause> emit, CancellationToken cancellationToken, IProgress<GcProgress>? progress = null)
    {
        if (!File.Exists(path))
        {
            throw new TraceNotFoundException(path);
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long length = file.Length;
        EventPipeEventSource source;
        try
        {
            source = new EventPipeEventSource(file);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new TraceFormatException(path, "the header is not a nettrace header (" + e.Message + ")", e);
        }

        int processId = 0;
        using (source)
        {
            var tracker = new GcPauseTracker(processId, emit);
            tracker.Subscribe(source);
            using CancellationTokenRegistration reg = cancellationToken.Register(() => source.StopProcessing());
            long lastReport = 0;
            source.Clr.GCHeapStats += _ =>
            {
                long now = Environment.TickCount64;
                if (progress is not null && now - lastReport > 200 && length > 0)
                {
                    lastReport = now;
                    int pct = (int)Math.Clamp(file.Position * 100 / length, 0, 99);
                    progress.Report(new GcProgress("Reading " + Path.GetFileName(path), $"{tracker.Emitted:N0} GCs", pct));
                }
            };
            try
            {
                source.Process();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new TraceFormatException(path, $"it ends or breaks at byte {file.Position:N0} of {length:N0} ({e.GetType().Name}: {e.Message}); it is probably truncated", e)
                {
                    PausesRead = tracker.Emitted,
                };
            }

            cancellationToken.ThrowIfCancellationRequested();
            tracker.Flush();
            return new GcPauseSessionResult { PauseCount = tracker.Emitted, EventsLost = source.EventsLost, WindowMs = tracker.LastEventMs, StreamBytes = length };
        }
    }

    /// <summary>
    /// Runs a live session until Duration, cancellation or the target's exit; emit is called on the parser's thread
    /// as each GC completes. The session is always stopped from another thread than the parser's.
    /// </summary>
    public GcPauseSessionResult ReadLive(GcPauseSessionOptions options, Action<GcPause> emit, CancellationToken cancellationToken, IProgress<GcProgress>? progress = null)
    {
        int pid = options.ProcessId;
        Process target = TargetProcess.Open(pid);
        FileStream? tee = null;
        LiveSession? live = null;
        SessionStopper? stopper = null;
        bool exited = false;
        try
        {
            // Before the session: an -OutFile that cannot be created fails here, not after the target was attached.
            if (options.OutFile is not null)
            {
                tee = OwnerOnlyFile.Create(options.OutFile, options.Force, bufferSize: 0);
            }

            // Without -OutFile: the tracker's events only, and no stacks asked for (the tracker reads none). With it: the whole
            // keyword with stacks, as dotnet-trace's gc-collect records, for PerfView later.
            bool raw = options.OutFile is not null;
            var provider = new EventPipeProvider(RuntimeProvider, EventLevel.Informational, GcKeyword, arguments: null,
                eventFilter: raw ? null : new EventPipeProviderEventFilter(enable: true, TrackedEventIds));
            live = LiveSession.Start(pid, new EventPipeSessionConfiguration(
                new[] { provider }, options.BufferSizeMB, rundownKeyword: 0, requestStackwalk: raw), cancellationToken, tee, options.OutFile);
            stopper = new SessionStopper(live, options.Duration);
            options.SessionStarted?.Invoke();
            var clock = Stopwatch.StartNew();
            var idle = new IdleFlushStream(live.Stream) { OnIdle = options.Idle };

            using CancellationTokenRegistration reg = cancellationToken.Register(stopper.StopCancelled);
            // The target's exit ends the stream by itself; this only makes sure a half-open socket does not keep us waiting. A
            // check a second, not Process.WaitForExitAsync: for a process that is not our child, .NET polls that every 100 ms on
            // the thread pool, and each poll wakes a pool worker that spins before it sleeps again (perf: half the listener's CPU).
            using var exitWatch = new Timer(_ =>
            {
                if (Gone(target, pid))
                {
                    stopper.StopAfterExit();
                }
            }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

            var tracker = new GcPauseTracker(pid, emit, options.Captures);
            long lastReport = 0;
            EventPipeEventSource? source = null;
            try
            {
                source = new EventPipeEventSource(idle);
                idle.AttachTo(source);
                tracker.Subscribe(source);
                if (progress is not null)
                {
                    source.Clr.GCHeapStats += _ =>
                    {
                        long now = Environment.TickCount64;
                        if (now - lastReport > 250)
                        {
                            lastReport = now;
                            int pct = options.Duration is TimeSpan dd && dd > TimeSpan.Zero ? (int)Math.Clamp(clock.Elapsed / dd * 100, 0, 99) : -1;
                            progress.Report(new GcProgress($"GC pauses of process {pid}", $"{tracker.Emitted:N0} GCs", pct));
                        }
                    };
                }

                source.Process();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (live.Tee?.Failure is TraceWriteFailedException full)
                {
                    throw full;
                }

                // The stream broke: the target died (a killed process stays a zombie for a moment; give it two seconds to be
                // seen as gone), or we stopped it. Anything else is a real failure.
                if (!stopper.Stopped && !WaitGone(target, pid, TimeSpan.FromSeconds(2)))
                {
                    throw new EventPipeSessionException(pid, e.Message, e);
                }
            }
            finally
            {
                source?.Dispose();
            }

            if (live.Tee?.Failure is TraceWriteFailedException failed)
            {
                throw failed;
            }

            tracker.Flush();
            exited = !stopper.StoppedByUs && WaitGone(target, pid, TimeSpan.FromSeconds(2));
            return new GcPauseSessionResult
            {
                PauseCount = tracker.Emitted,
                TargetExited = exited,
                Cancelled = cancellationToken.IsCancellationRequested,
                EventsLost = source?.EventsLost ?? 0,
                WindowMs = clock.Elapsed.TotalMilliseconds,
                OutFile = options.OutFile,
                StreamBytes = idle.BytesRead,
            };
        }
        finally
        {
            if (stopper is not null)
            {
                stopper.StopAsync();
                stopper.WaitStopped(TimeSpan.FromSeconds(5));
            }

            live?.Close();
            tee?.Dispose();
            target.Dispose();
        }
    }

    /// <summary>The target has exited (a zombie waiting to be reaped counts as exited).</summary>
    private static bool Gone(Process target, int pid) => TargetProcess.HasExited(target) || !ProcessProbe.Exists(pid);

    private static bool WaitGone(Process target, int pid, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!Gone(target, pid))
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }

    /// <summary>
    /// Stops the session once, never on the parser's callback thread: at the end of Duration, on request (cancellation, the end of
    /// the read), or after the target's exit. The stop runs on threads of its own, not the thread pool's: a host whose pool is
    /// busy (a runbook running many runspaces, ForEach-Object -Parallel) would otherwise delay it, and with it the end of the
    /// session, by as long as the pool stays busy; the target would keep writing events meanwhile.
    /// </summary>
    private sealed class SessionStopper
    {
        private readonly LiveSession _live;
        private readonly ManualResetEventSlim _request = new(false);
        private readonly ManualResetEventSlim _done = new(false);
        private int _state;
        private volatile bool _stoppedByUs;
        private volatile bool _cancelled;

        public SessionStopper(LiveSession live, TimeSpan? duration)
        {
            _live = live;
            // Wait's limit is int.MaxValue ms (24.8 days): a longer Duration waits for a request, as no Duration does.
            TimeSpan wait = duration is TimeSpan d && d.TotalMilliseconds < int.MaxValue ? d : Timeout.InfiniteTimeSpan;
            new Thread(() => Run(wait)) { IsBackground = true, Name = "GcTriage session stopper" }.Start();
        }

        public bool Stopped => Volatile.Read(ref _state) != 0;

        /// <summary>True when the session was stopped by Duration or a request, false when after the target's exit.</summary>
        public bool StoppedByUs => _stoppedByUs;

        public void StopAsync() => Request(byUs: true);

        /// <summary>Ctrl+C or Select-Object -First: the same stop, with a short wait for the runtime's acknowledgement.</summary>
        public void StopCancelled()
        {
            _cancelled = true;
            Request(byUs: true);
        }

        public void StopAfterExit() => Request(byUs: false);

        public void WaitStopped(TimeSpan timeout) => _done.Wait(timeout);

        private void Request(bool byUs)
        {
            if (Interlocked.Exchange(ref _state, 1) != 0)
            {
                return;
            }

            _stoppedByUs = byUs;
            _request.Set();
        }

        private void Run(TimeSpan wait)
        {
            try
            {
                if (!_request.Wait(wait))
                {
                    Request(byUs: true); // Duration is up (a request that came first wins)
                }

                if (_stoppedByUs)
                {
                    // Stop asks the runtime to flush and close the stream; if it does not answer, the session closes our end,
                    // which ends the parser.
                    _live.Stop(_cancelled ? LiveSession.CancelStopTimeout : LiveSession.StopTimeout);
                }
                else
                {
                    // The target exited: its end of the stream is gone or going; give the parser the rest, then close ours.
                    Thread.Sleep(2000);
                    _live.Close();
                }
            }
            catch (Exception)
            {
                // Never let this escape a thread of our own; closing our end ends the parser either way.
                try
                {
                    _live.Close();
                }
                catch (Exception)
                {
                }
            }
            finally
            {
                _done.Set();
            }
        }
    }
}
