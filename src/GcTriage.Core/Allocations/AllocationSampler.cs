using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace GcTriage.Core;

/// <summary>What Get-GcAllocation asks for.</summary>
public sealed class AllocationOptions
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public bool IncludeStack { get; init; }
    public int? Top { get; init; }
    /// <summary>Where to write folded stacks (implies stacks); the file must not exist unless Force.</summary>
    public string? FoldedStackPath { get; init; }
    /// <summary>Keeps the raw .nettrace of a live session here (readable by -TracePath, dotnet-trace tools and PerfView).</summary>
    public string? OutFile { get; init; }
    /// <summary>Overwrite FoldedStackPath / OutFile when they exist.</summary>
    public bool Force { get; init; }
    /// <summary>
    /// Share of the window the session listens, in (0, 1]: the session is attached for DutyCycle x 2 s of every 2 s. Each
    /// allocation tick costs the target the same whatever the listener does, so this is the lever on what sampling costs it.
    /// 1 listens all the time; stacks and OutFile always do (one trace, one rundown).
    /// </summary>
    public double DutyCycle { get; init; } = DefaultDutyCycle;

    public const double DefaultDutyCycle = 0.5;
}

/// <summary>The outcome of one sampling window or one trace.</summary>
public sealed class AllocationResult
{
    public IReadOnlyList<GcAllocationStat> Stats { get; init; } = Array.Empty<GcAllocationStat>();
    public long TotalSamples { get; init; }
    public long TotalBytes { get; init; }
    public double DurationSeconds { get; init; }
    /// <summary>How long the session listened within the window (DurationSeconds x DutyCycle, about).</summary>
    public double SampledSeconds { get; init; }
    /// <summary>The target exited before the window ended: the figures cover the part that was seen.</summary>
    public bool TargetExited { get; init; }
    public string? FoldedStackPath { get; init; }
    public int FoldedLines { get; init; }
}

/// <summary>
/// Samples a process's allocations from the runtime's allocation ticks (GC keyword at Verbose level: GCAllocationTick_V4,
/// one per ~100 KB allocated per heap kind, with the type that crossed the threshold and the bytes since the last tick).
/// Without stacks the session asks for no stack walks and no rundown (the cheap path); with stacks the session asks the
/// runtime to walk a stack per event and to emit method load events (Loader+JIT) and the method rundown at the end; the
/// stream is recorded to a private temporary .nettrace and resolved afterwards with TraceEvent's TraceLog.
/// </summary>
public sealed class AllocationSampler
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const long GcKeyword = 0x1;
    private const long LoaderKeyword = 0x8;
    private const long JitKeyword = 0x10;
    /// <summary>The rundown dotnet-trace asks for: method and module DCEnd events (the runtime's default rundown keyword).</summary>
    private const long MethodRundownKeyword = 0x80020139;

    public AllocationResult SampleProcess(int processId, AllocationOptions options, CancellationToken cancellationToken, IProgress<GcProgress>? progress = null)
    {
        ProcessProbe.Require(processId);
        bool stacks = options.IncludeStack || options.FoldedStackPath is not null;
        CheckFoldedPath(options);
        return stacks
            ? SampleWithStacks(processId, options, cancellationToken, progress)
            : SampleFast(processId, options, cancellationToken, progress);
    }

    public AllocationResult ReadTrace(string tracePath, AllocationOptions options, CancellationToken cancellationToken, IProgress<GcProgress>? progress = null)
    {
        if (!File.Exists(tracePath))
        {
            throw new AllocationTraceNotFoundException(tracePath);
        }

        CheckFoldedPath(options);
        bool stacks = options.IncludeStack || options.FoldedStackPath is not null;
        progress?.Report(new GcProgress("Reading allocations", Path.GetFileName(tracePath), -1));
        return stacks
            ? ResolveRecorded(tracePath, options, processIdHint: null, targetExited: false, cancellationToken)
            : ReadTraceFast(tracePath, options, cancellationToken);
    }

    private static void CheckFoldedPath(AllocationOptions options)
    {
        foreach (string? p in new[] { options.FoldedStackPath, options.OutFile })
        {
            if (p is not null)
            {
                OwnerOnlyFile.CheckWritable(p, options.Force);
            }
        }
    }

    /// <summary>The period of a duty-cycled window: DutyCycle of it listening, the rest detached.</summary>
    private static readonly TimeSpan DutyPeriod = TimeSpan.FromSeconds(2);

    private AllocationResult SampleFast(int processId, AllocationOptions options, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        // Listening throughout is one period as long as the window: one session (and with OutFile, one stream in the file).
        double duty = options.OutFile is null ? Math.Clamp(options.DutyCycle, 0.01, 1) : 1;
        TimeSpan period = duty >= 1 ? options.Duration : DutyPeriod;
        TimeSpan listen = period * duty;
        var aggregator = new AllocationAggregator();
        var stopwatch = Stopwatch.StartNew();
        TimeSpan sampled = TimeSpan.Zero;
        bool exited = false;
        using (FileStream? raw = options.OutFile is null ? null : OwnerOnlyFile.Create(options.OutFile, options.Force))
        {
            // One session per period: attach, listen for its share, detach, wait out the rest (never past the window).
            for (TimeSpan periodStart = TimeSpan.Zero; !exited && periodStart < options.Duration && !cancellationToken.IsCancellationRequested; periodStart += period)
            {
                TimeSpan until = TimeSpan.FromTicks(Math.Min((periodStart + listen).Ticks, options.Duration.Ticks));
                TimeSpan attached = stopwatch.Elapsed;
                exited = ListenOnce(processId, raw, options.OutFile, aggregator, until, options.Duration, stopwatch, cancellationToken, progress);
                sampled += stopwatch.Elapsed - attached;
                if (!exited)
                {
                    TimeSpan next = TimeSpan.FromTicks(Math.Min((periodStart + period).Ticks, options.Duration.Ticks));
                    Wait(processId, pump: null, next, options.Duration, stopwatch, cancellationToken, progress);
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        double seconds = stopwatch.Elapsed.TotalSeconds;
        IReadOnlyDictionary<ulong, string>? names = exited ? null : AllocationTypeNames.ResolveLive(processId, aggregator.TypeIds);
        return new AllocationResult
        {
            Stats = aggregator.Results(processId, seconds, sampled.TotalSeconds, options.Top, names),
            TotalSamples = aggregator.TotalSamples,
            TotalBytes = aggregator.TotalBytes,
            DurationSeconds = seconds,
            SampledSeconds = sampled.TotalSeconds,
            TargetExited = exited,
        };
    }

    /// <summary>One session without stacks, parsed live into the aggregator until the stopwatch reaches <paramref name="until"/>. Returns true when the target went away.</summary>
    private static bool ListenOnce(int processId, Stream? raw, string? rawPath, AllocationAggregator aggregator, TimeSpan until, TimeSpan window, Stopwatch stopwatch,
        CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        LiveSession live;
        try
        {
            live = Start(processId, GcKeyword, bufferMB: 64, rundownKeyword: 0, stacks: false, cancellationToken, raw, rawPath, ask: stopwatch.Elapsed < DutyPeriod);
        }
        catch (Exception e) when (e is TargetProcessExitedException or NotDotNetProcessException or ProcessNotFoundException && stopwatch.Elapsed >= DutyPeriod)
        {
            // Gone between two listening periods (a process killed a moment ago may linger as a zombie without its diagnostics
            // channel, which reads as "not .NET"): keep what was seen.
            return true;
        }

        using (live)
        {
            var source = new EventPipeEventSource(live.Stream);
            source.Clr.GCAllocationTick += data =>
            {
                if (data.ProcessID == processId || data.ProcessID <= 0)
                {
                    aggregator.Add(data.TypeName, data.TypeID, (GcAllocationKind)(int)data.AllocationKind, data.AllocationAmount64, null);
                }
            };

            // The aggregator is only touched by the processing thread until it has ended.
            var processing = DedicatedTask.Run(() => source.Process());
            bool exited = Wait(processId, processing, until, window, stopwatch, cancellationToken, progress);
            StopOrClose(live, cancellationToken);
            WaitQuietly(processing, live);
            source.Dispose();
            ThrowIfCopyFailed(live);
            return exited || processing.IsFaulted && !ProcessProbe.Exists(processId);
        }
    }

    /// <summary>A full disk under -OutFile is the user's error to see, not an end of the target.</summary>
    private static void ThrowIfCopyFailed(LiveSession live)
    {
        if (live.Tee?.Failure is TraceWriteFailedException failed)
        {
            throw failed;
        }
    }

    private AllocationResult SampleWithStacks(int processId, AllocationOptions options, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        // Without -OutFile the trace goes into a fresh private folder (mkdtemp, 0700), removed after.
        DirectoryInfo? scratch = options.OutFile is null ? OwnerOnlyFile.CreateScratchFolder() : null;
        string temp = options.OutFile ?? Path.Combine(scratch!.FullName, "alloc.nettrace");
        var stopwatch = Stopwatch.StartNew();
        bool exited;
        try
        {
            // The file first: an unwritable folder fails before the target is attached.
            using (var file = OwnerOnlyFile.Create(temp, overwrite: options.OutFile is not null && options.Force, bufferSize: 0))
            {
                using (LiveSession live = Start(processId, GcKeyword | LoaderKeyword | JitKeyword, bufferMB: 128, rundownKeyword: MethodRundownKeyword, stacks: true, cancellationToken))
                {
                    stopwatch.Restart();
                    var copying = DedicatedTask.Run(() => CopyTrace(live.Stream, file, temp));
                    exited = Wait(processId, copying, options.Duration, options.Duration, stopwatch, cancellationToken, progress);
                    progress?.Report(new GcProgress("Sampling allocations", "collecting method rundown", 99));
                    StopOrClose(live, cancellationToken);
                    WaitQuietly(copying, live);
                    if (copying.Exception?.InnerException is TraceWriteFailedException full)
                    {
                        throw full;
                    }
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new GcProgress("Resolving allocation stacks", Path.GetFileName(temp), -1));
            var result = ResolveRecorded(temp, options, processId, exited, cancellationToken, liveNames: !exited);
            return new AllocationResult
            {
                Stats = result.Stats,
                TotalSamples = result.TotalSamples,
                TotalBytes = result.TotalBytes,
                DurationSeconds = stopwatch.Elapsed.TotalSeconds,
                SampledSeconds = stopwatch.Elapsed.TotalSeconds,
                TargetExited = exited,
                FoldedStackPath = result.FoldedStackPath,
                FoldedLines = result.FoldedLines,
            };
        }
        finally
        {
            if (scratch is not null)
            {
                OwnerOnlyFile.TryDeleteFolder(scratch.FullName);
            }
        }
    }

    /// <summary>
    /// Starts the session. No EventPipe event filter is used: on .NET 10.0.12 an event-id filter on the runtime provider (an
    /// allow-list of GCAllocationTick, or a deny-list of the per-GC events) cut the allocation ticks to about 1% of their rate,
    /// so the per-GC verbose events are paid for and dropped by the parser.
    /// </summary>
    private static LiveSession Start(int processId, long keywords, int bufferMB, long rundownKeyword, bool stacks, CancellationToken cancellationToken, Stream? copy = null, string? copyPath = null, bool ask = true)
    {
        var config = new EventPipeSessionConfiguration(
            new[] { new EventPipeProvider(RuntimeProvider, EventLevel.Verbose, keywords) },
            bufferMB, rundownKeyword, stacks);
        return LiveSession.Start(processId, config, cancellationToken, copy, copyPath, ask);
    }

    /// <summary>Copies the session's stream into the recording; a failed write (a full disk) is TraceWriteFailed.</summary>
    private static void CopyTrace(Stream events, Stream file, string path)
    {
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = events.Read(buffer, 0, buffer.Length)) > 0)
        {
            try
            {
                file.Write(buffer, 0, n);
            }
            catch (IOException e)
            {
                throw new TraceWriteFailedException(path, e);
            }
        }
    }

    /// <summary>Resolves a recorded trace with TraceLog: each tick's stack, method names from the load events and rundown.</summary>
    /// <param name="liveNames">Name the types from the live process (processIdHint) rather than from the ticks alone.</param>
    private static AllocationResult ResolveRecorded(string tracePath, AllocationOptions options, int? processIdHint, bool targetExited, CancellationToken cancellationToken,
        bool liveNames = false)
    {
        // TraceLog writes the .etlx itself (with the umask's mode): only ever inside a fresh private folder.
        DirectoryInfo scratch = OwnerOnlyFile.CreateScratchFolder();
        string etlx = Path.Combine(scratch.FullName, "alloc.etlx");
        try
        {
            try
            {
                TraceLog.CreateFromEventPipeDataFile(tracePath, etlx, new TraceLogOptions { ContinueOnError = targetExited });
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                throw new AllocationTraceFormatException(tracePath, e.Message, e);
            }

            var aggregator = new AllocationAggregator { ProcessId = processIdHint ?? 0 };
            using (var log = new TraceLog(etlx))
            {
                var source = log.Events.GetSource();
                var frames = new List<string>(64);
                source.Clr.GCAllocationTick += data =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    aggregator.Observe(data.TimeStampRelativeMSec, data.ProcessID);

                    frames.Clear();
                    for (TraceCallStack? s = data.CallStack(); s is not null; s = s.Caller)
                    {
                        string? name = FrameName(s.CodeAddress);
                        if (name is not null)
                        {
                            frames.Add(name);
                        }
                    }

                    aggregator.Add(data.TypeName, data.TypeID, (GcAllocationKind)(int)data.AllocationKind, data.AllocationAmount64, frames.Count > 0 ? frames : null);
                };
                source.Process();
            }

            double seconds = aggregator.DurationSeconds;
            IReadOnlyDictionary<ulong, string>? names = liveNames && processIdHint is int pid ? AllocationTypeNames.ResolveLive(pid, aggregator.TypeIds) : null;
            int lines = 0;
            if (options.FoldedStackPath is string folded)
            {
                using var writer = new StreamWriter(OwnerOnlyFile.Create(folded, options.Force));
                lines = aggregator.WriteFolded(writer, names);
            }

            return new AllocationResult
            {
                Stats = aggregator.Results(aggregator.ProcessId, seconds, seconds, options.Top, names),
                TotalSamples = aggregator.TotalSamples,
                TotalBytes = aggregator.TotalBytes,
                DurationSeconds = seconds,
                SampledSeconds = seconds,
                TargetExited = targetExited,
                FoldedStackPath = options.FoldedStackPath,
                FoldedLines = lines,
            };
        }
        finally
        {
            OwnerOnlyFile.TryDeleteFolder(scratch.FullName);
        }
    }

    private static AllocationResult ReadTraceFast(string tracePath, AllocationOptions options, CancellationToken cancellationToken)
    {
        var aggregator = new AllocationAggregator();
        try
        {
            using var source = new EventPipeEventSource(tracePath);
            source.Clr.GCAllocationTick += data =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                aggregator.Observe(data.TimeStampRelativeMSec, data.ProcessID);

                aggregator.Add(data.TypeName, data.TypeID, (GcAllocationKind)(int)data.AllocationKind, data.AllocationAmount64, null);
            };
            source.Process();
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new AllocationTraceFormatException(tracePath, e.Message, e);
        }

        double seconds = aggregator.DurationSeconds;
        return new AllocationResult
        {
            Stats = aggregator.Results(aggregator.ProcessId, seconds, seconds, options.Top),
            TotalSamples = aggregator.TotalSamples,
            TotalBytes = aggregator.TotalBytes,
            DurationSeconds = seconds,
            SampledSeconds = seconds,
        };
    }

    /// <summary>"Module!Namespace.Type.Method"; null for frames with neither module nor method (native allocation helpers).</summary>
    private static string? FrameName(TraceCodeAddress address)
    {
        string method = address.FullMethodName;
        string module = address.ModuleName;
        if (string.IsNullOrEmpty(method))
        {
            return string.IsNullOrEmpty(module) ? null : module + "!?";
        }

        int paren = method.IndexOf('(');
        if (paren > 0)
        {
            method = method[..paren];
        }

        return string.IsNullOrEmpty(module) ? method : module + "!" + method;
    }

    /// <summary>
    /// Waits until the stopwatch reaches <paramref name="until"/> (progress relative to <paramref name="window"/>), the pump ends
    /// (the target went away: returns true) or cancellation (returns false). Without a pump it only waits.
    /// </summary>
    private static bool Wait(int processId, Task? pump, TimeSpan until, TimeSpan window, Stopwatch stopwatch, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        while (true)
        {
            TimeSpan left = until - stopwatch.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            int slice = (int)Math.Min(250, Math.Max(1, left.TotalMilliseconds));
            try
            {
                if (pump is null)
                {
                    if (cancellationToken.WaitHandle.WaitOne(slice))
                    {
                        return false;
                    }
                }
                else if (pump.Wait(slice, cancellationToken))
                {
                    // The stream ended before the window: the target went away.
                    return true;
                }
            }
            catch (AggregateException)
            {
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            int percent = (int)Math.Clamp(100 * stopwatch.Elapsed.TotalMilliseconds / window.TotalMilliseconds, 0, 99);
            progress?.Report(new GcProgress("Sampling allocations", string.Create(CultureInfo.InvariantCulture, $"process {processId}, {stopwatch.Elapsed.TotalSeconds:0}s of {window.TotalSeconds:0}s"), percent));
        }
    }

    /// <summary>Ends the session: a stop (the runtime flushes, the rundown follows) at the window's end, our end closed at once after Ctrl+C.</summary>
    private static void StopOrClose(LiveSession live, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            live.Close();
        }
        else
        {
            live.Stop();
        }
    }

    /// <summary>Waits for the reader to see the end of the stream; if the runtime never ends it, closes our end so the reader ends.</summary>
    private static void WaitQuietly(Task task, LiveSession live)
    {
        try
        {
            if (!task.Wait(TimeSpan.FromSeconds(30)))
            {
                live.Close();
                task.Wait(TimeSpan.FromSeconds(5));
            }
        }
        catch (AggregateException)
        {
        }
    }
}
