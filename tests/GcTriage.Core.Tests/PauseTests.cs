using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace GcTriage.Core.Tests;

/// <summary>Live EventPipe sessions against the fixture's "gc" mode, and .nettrace files they write.</summary>
public sealed class PauseTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    /// <summary>A live session on a background thread; pauses collected as they come.</summary>
    private sealed class LiveSession : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly Task<GcPauseSessionResult> _task;

        public LiveSession(int pid, string? outFile = null)
        {
            using var started = new ManualResetEventSlim();
            var options = new GcPauseSessionOptions { ProcessId = pid, OutFile = outFile, SessionStarted = started.Set };
            _task = Task.Run(() => new GcPauseReader().ReadLive(options, p => Pauses.Enqueue(p), _cts.Token));
            WaitHandle.WaitAny(new[] { started.WaitHandle, ((IAsyncResult)_task).AsyncWaitHandle }, s_wait);
            if (_task.IsFaulted)
            {
                _task.GetAwaiter().GetResult();
            }
        }

        public ConcurrentQueue<GcPause> Pauses { get; } = new();

        public List<GcPause> WaitFor(Func<GcPause, bool> match, int count)
        {
            var sw = Stopwatch.StartNew();
            while (Pauses.Count(match) < count && sw.Elapsed < s_wait && !_task.IsCompleted)
            {
                Thread.Sleep(20);
            }

            return Pauses.Where(match).ToList();
        }

        public GcPauseSessionResult Stop()
        {
            _cts.Cancel();
            Assert.True(_task.Wait(s_wait), "the session did not stop within 30 s of cancellation");
            return _task.Result;
        }

        public GcPauseSessionResult WaitEnd()
        {
            Assert.True(_task.Wait(s_wait), "the session did not end within 30 s");
            return _task.Result;
        }

        public void Dispose()
        {
            _cts.Cancel();
            try
            {
                _task.Wait(s_wait);
            }
            catch (AggregateException)
            {
            }

            _cts.Dispose();
        }
    }

    private sealed record Done(long First, long Last, int Gen0, int Gen1, int Gen2);

    private static Done Command(FixtureProcess fixture, string command)
    {
        fixture.Send(command);
        Match m = Regex.Match(fixture.WaitForLine("DONE", s_wait), @"first=(\d+) last=(\d+) gen0=(\d+) gen1=(\d+) gen2=(\d+)");
        Assert.True(m.Success);
        return new Done(long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value), int.Parse(m.Groups[5].Value));
    }

    [Fact]
    public void EveryInducedGcIsSeenWithItsGenerationReasonAndFigures()
    {
        using var fixture = FixtureProcess.Start("gc");
        Command(fixture, "gen2 1"); // before the session: not seen
        using var session = new LiveSession(fixture.Id);
        Done gen0 = Command(fixture, "gen0 5");
        Done gen2 = Command(fixture, "gen2 7");
        Assert.Equal(5, gen0.Last - gen0.First + 1);
        Assert.Equal(7, gen2.Last - gen2.First + 1);
        Assert.Equal(7, gen2.Gen2);

        List<GcPause> seen = session.WaitFor(p => p.Number >= gen0.First && p.Number <= gen2.Last, 12);
        session.Stop();

        Assert.Equal(Enumerable.Range((int)gen0.First, 12).Select(i => (long)i), seen.Select(p => p.Number));
        List<GcPause> first = seen.Where(p => p.Number <= gen0.Last).ToList();
        List<GcPause> second = seen.Where(p => p.Number >= gen2.First).ToList();
        // The runtime may escalate a requested gen0 to gen1; the fixture reports what it did, and the trace must agree exactly.
        Assert.Equal(gen0.Gen0, first.Count(p => p.Generation == 0));
        Assert.Equal(gen0.Gen1, first.Count(p => p.Generation == 1));
        Assert.Equal(0, first.Count(p => p.Generation == 2));
        Assert.All(first, p => Assert.Equal("Induced", p.Reason));
        Assert.All(second, p =>
        {
            Assert.Equal(2, p.Generation);
            Assert.Equal("InducedCompacting", p.Reason);
            // A compacting gen2 over fresh garbage (4 MB of dead arrays per GC) leaves the heap smaller.
            Assert.NotNull(p.HeapBeforeBytes);
            Assert.True(p.HeapAfterBytes <= p.HeapBeforeBytes, $"GC {p.Number}: after {p.HeapAfterBytes} > before {p.HeapBeforeBytes}");
            Assert.True(p.HeapBeforeBytes - p.HeapAfterBytes >= 4 << 20, $"GC {p.Number}: freed {p.HeapBeforeBytes - p.HeapAfterBytes} bytes, expected at least the 4 MB of garbage");
        });
        Assert.All(seen, p =>
        {
            Assert.Equal(GcPauseType.NonConcurrent, p.Type);
            Assert.True(p.PauseMs > 0, $"GC {p.Number}: PauseMs {p.PauseMs}");
            Assert.InRange(p.SuspendMs, 0, p.PauseMs);
            Assert.InRange(p.PauseTimePercent, double.Epsilon, 100);
            Assert.Equal(DateTimeKind.Utc, p.Timestamp.Kind);
            Assert.InRange(p.Timestamp, DateTime.UtcNow.AddMinutes(-2), DateTime.UtcNow);
            Assert.Equal(fixture.Id, p.ProcessId);
            Assert.Equal(p.HeapAfterBytes, p.Gen0SizeBytes + p.Gen1SizeBytes + p.Gen2SizeBytes + p.LohSizeBytes + p.PohSizeBytes);
            Assert.True(p.PromotedBytes <= p.HeapBeforeBytes);
        });
    }

    [Fact]
    public void BackgroundGcIsChargedWithItsOwnPausesOnly()
    {
        using var fixture = FixtureProcess.Start("gc");
        using var session = new LiveSession(fixture.Id);
        Done done = Command(fixture, "bgc");
        Assert.True(done.Gen2 >= 1);
        List<GcPause> seen = session.WaitFor(p => p.Number >= done.First && p.Number <= done.Last, (int)(done.Last - done.First + 1));
        session.Stop();
        Assert.Equal(done.Last - done.First + 1, seen.Count);
        Assert.Equal(done.Gen2, seen.Count(p => p.Generation == 2));
        // The fixture waits for a gen2 the runtime counts as background (GCKind.Background); a first one that fell back to
        // blocking may come before it, reported as NonConcurrent (see BackgroundGcThatFellBackToBlockingIsReportedAsBlocking).
        GcPause bgc = Assert.Single(seen, p => p.Type == GcPauseType.Background);
        Assert.Equal(2, bgc.Generation);
        Assert.Equal(bgc, seen.Last(p => p.Generation == 2));
        Assert.True(bgc.PauseMs > 0);
        Assert.True(bgc.DurationMs > 0);
        Assert.True(bgc.PauseMs < bgc.DurationMs, $"pause {bgc.PauseMs} ms should be a part of the background GC's {bgc.DurationMs} ms");
        Assert.InRange(bgc.SuspendMs, 0, bgc.PauseMs);
        Assert.NotNull(bgc.HeapBeforeBytes);
    }

    private static List<GcPause> ReadRecorded(string name)
    {
        var seen = new List<GcPause>();
        new GcPauseReader().ReadTrace(Path.Combine(AppContext.BaseDirectory, "Data", name), seen.Add, CancellationToken.None);
        return seen;
    }

    [Fact]
    public void BackgroundGcThatFellBackToBlockingIsReportedAsBlocking()
    {
        // Recorded from the fixture's "bgc" on .NET 10.0.12: GCStart says BackgroundGC (count 3), then MarkWithType, GCEnd and
        // GCHeapStats all come before the RestartEE of the suspension that started it: the whole GC ran with the threads stopped.
        List<GcPause> seen = ReadRecorded("bgc-fallback.nettrace");
        Assert.Equal(new long[] { 1, 2, 3 }, seen.Select(p => p.Number));
        GcPause gen2 = seen.Single(p => p.Generation == 2);
        Assert.Equal(3, gen2.Number);
        Assert.Equal(GcPauseType.NonConcurrent, gen2.Type);
        Assert.Equal("AllocSmall", gen2.Reason);
        Assert.Equal(gen2.DurationMs, gen2.PauseMs, 9);
        Assert.InRange(gen2.PauseMs, 1, 1000);
        Assert.DoesNotContain(seen, p => p.Type == GcPauseType.Background);
    }

    [Fact]
    public void BackgroundGcThatRanConcurrentlyIsChargedWithItsSuspensionsOnly()
    {
        // Recorded from the same fixture: BackgroundGC count 3, a foreground gen1 (count 4) inside its first suspension, its
        // restart, then a SuspendForGCPrep suspension from the background thread, and its GCEnd well after.
        List<GcPause> seen = ReadRecorded("bgc-concurrent.nettrace");
        GcPause bgc = Assert.Single(seen, p => p.Type == GcPauseType.Background);
        Assert.Equal(3, bgc.Number);
        Assert.Equal(2, bgc.Generation);
        Assert.Contains(seen, p => p.Number == 4 && p.Generation == 1 && p.Type != GcPauseType.Background);
        Assert.InRange(bgc.PauseMs, double.Epsilon, bgc.DurationMs / 4);
        Assert.InRange(bgc.SuspendMs, 0, bgc.PauseMs);
    }

    [Fact]
    public void ALiveSessionAsksTheRuntimeOnlyForTheEventsItReads()
    {
        // Without -OutFile the session filters the GC keyword down to the tracker's six events; with it, it records the whole
        // keyword. Same fixture, same 20 blocking gen1 GCs each time: the filtered stream carries clearly fewer bytes per GC.
        using var temp = new TempDirectory();
        using var fixture = FixtureProcess.Start("gc");
        double BytesPerGc(string? outFile)
        {
            using var session = new LiveSession(fixture.Id, outFile);
            Done done = Command(fixture, "gen1 20");
            List<GcPause> seen = session.WaitFor(p => p.Number >= done.First && p.Number <= done.Last, 20);
            GcPauseSessionResult result = session.Stop();
            Assert.Equal(20, seen.Count);
            Assert.True(result.StreamBytes > 0);
            return (double)result.StreamBytes / result.PauseCount;
        }

        double filtered = BytesPerGc(null);
        double full = BytesPerGc(temp.File("full.nettrace"));
        Assert.True(filtered < 0.8 * full, $"filtered {filtered:0} bytes per GC, full keyword {full:0}");
    }

    [Fact]
    public void OutFileKeepsTheRawTraceAndTracePathReadsTheSamePauses()
    {
        using var temp = new TempDirectory();
        string file = temp.File("pauses.nettrace");
        using var fixture = FixtureProcess.Start("gc");
        List<GcPause> live;
        Done done;
        using (var session = new LiveSession(fixture.Id, file))
        {
            done = Command(fixture, "gen2 3");
            live = session.WaitFor(p => p.Number >= done.First && p.Number <= done.Last, 3);
            session.Stop();
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var fromFile = new List<GcPause>();
        GcPauseSessionResult result = new GcPauseReader().ReadTrace(file, fromFile.Add, CancellationToken.None);
        Assert.Equal(3, live.Count);
        Assert.Equal(live.Select(p => (p.Number, p.Generation, p.Reason, p.PauseMs, p.HeapAfterBytes)),
            fromFile.Where(p => p.Number >= done.First && p.Number <= done.Last).Select(p => (p.Number, p.Generation, p.Reason, p.PauseMs, p.HeapAfterBytes)));
        Assert.Equal(fromFile.Count, result.PauseCount);
        Assert.All(fromFile, p => Assert.Equal(fixture.Id, p.ProcessId));
        Assert.Equal(new FileInfo(file).Length, result.StreamBytes);
    }

    [Fact]
    public void TruncatedTraceIsATraceFormatError()
    {
        using var temp = new TempDirectory();
        string file = temp.File("full.nettrace");
        using (var fixture = FixtureProcess.Start("gc"))
        using (var session = new LiveSession(fixture.Id, file))
        {
            Done done = Command(fixture, "gen2 20");
            session.WaitFor(p => p.Number >= done.First && p.Number <= done.Last, 20);
            session.Stop();
        }

        byte[] bytes = File.ReadAllBytes(file);
        string cut = temp.File("cut.nettrace");
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);
        var seen = new List<GcPause>();
        var e = Assert.Throws<TraceFormatException>(() => new GcPauseReader().ReadTrace(cut, seen.Add, CancellationToken.None));
        Assert.Equal("TraceFormat", e.ErrorId);
        Assert.Equal(cut, e.Target);
        Assert.Equal(seen.Count, e.PausesRead);

        string junk = temp.File("junk.nettrace");
        File.WriteAllText(junk, "this is not a trace");
        Assert.Throws<TraceFormatException>(() => new GcPauseReader().ReadTrace(junk, _ => { }, CancellationToken.None));
        Assert.Throws<TraceNotFoundException>(() => new GcPauseReader().ReadTrace(temp.File("missing.nettrace"), _ => { }, CancellationToken.None));
    }

    [Fact]
    public void MissingProcessAndNonDotNetProcessAreTypedErrors()
    {
        var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        int pid = gone.Id;
        gone.Dispose();
        var e = Assert.Throws<ProcessNotFoundException>(() => new GcPauseReader().ReadLive(new GcPauseSessionOptions { ProcessId = pid }, _ => { }, CancellationToken.None));
        Assert.Equal(pid, e.Target);

        using var sleep = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            var n = Assert.Throws<NotDotNetProcessException>(() => new GcPauseReader().ReadLive(new GcPauseSessionOptions { ProcessId = sleep.Id }, _ => { }, CancellationToken.None));
            Assert.Equal("NotDotNetProcess", n.ErrorId);
        }
        finally
        {
            sleep.Kill();
        }
    }

    [Fact]
    public void TargetExitingMidSessionEndsItCleanlyWithThePausesSeen()
    {
        using var fixture = FixtureProcess.Start("gc");
        using var session = new LiveSession(fixture.Id);
        Done done = Command(fixture, "gen2 2");
        session.WaitFor(p => p.Number >= done.First && p.Number <= done.Last, 2);
        fixture.Send("die");
        GcPauseSessionResult result = session.WaitEnd();
        Assert.True(result.TargetExited);
        Assert.False(result.Cancelled);
        Assert.Equal(2, session.Pauses.Count(p => p.Number >= done.First && p.Number <= done.Last));
    }

    [Fact]
    public void CancellingStopsTheSessionAndASecondSessionWorks()
    {
        using var fixture = FixtureProcess.Start("gc");
        using (var first = new LiveSession(fixture.Id))
        {
            Done d1 = Command(fixture, "gen0 1");
            first.WaitFor(p => p.Number == d1.First, 1);
            var sw = Stopwatch.StartNew();
            GcPauseSessionResult r = first.Stop();
            Assert.True(r.Cancelled);
            Assert.False(r.TargetExited);
        }

        using var second = new LiveSession(fixture.Id);
        Done d2 = Command(fixture, "gen2 2");
        Assert.Equal(2, second.WaitFor(p => p.Number >= d2.First && p.Number <= d2.Last, 2).Count);
        second.Stop();
    }
}

public sealed class PauseStatisticsTests
{
    // The nearest-rank example from the definition: 15, 20, 35, 40, 50.
    [Theory]
    [InlineData(5, 15)]
    [InlineData(30, 20)]
    [InlineData(40, 20)]
    [InlineData(50, 35)]
    [InlineData(90, 50)]
    [InlineData(99, 50)]
    [InlineData(100, 50)]
    public void NearestRankPercentile(double percent, double expected)
    {
        Assert.Equal(expected, PauseStatistics.Percentile(new double[] { 15, 20, 35, 40, 50 }, percent));
    }

    [Fact]
    public void SummaryOfAHandComputedSet()
    {
        // 10 pauses 1..10 ms; each GC interval = PauseMs * 100 / PauseTimePercent = 100 ms, so the window is 1000 ms.
        var pauses = Enumerable.Range(1, 10).Select(i => new GcPause
        {
            Number = i,
            PauseMs = i,
            PauseTimePercent = i,
            Generation = i <= 6 ? 0 : i <= 9 ? 1 : 2,
            Type = i == 10 ? GcPauseType.Background : GcPauseType.NonConcurrent,
            Reason = i % 2 == 0 ? "AllocSmall" : "Induced",
            ProcessId = 42,
        }).ToList();
        GcPauseSummary s = PauseStatistics.Summarize(pauses);
        Assert.Equal(10, s.Count);
        Assert.Equal(5, s.P50PauseMs);   // rank ceil(0.5 * 10) = 5
        Assert.Equal(9, s.P90PauseMs);   // rank 9
        Assert.Equal(10, s.P99PauseMs);  // rank ceil(9.9) = 10
        Assert.Equal(10, s.MaxPauseMs);
        Assert.Equal(5.5, s.MeanPauseMs);
        Assert.Equal(55, s.TotalPauseMs);
        Assert.Equal(1000, s.WindowMs, 9);
        Assert.Equal(5.5, s.PauseTimePercent, 9);
        Assert.Equal((6, 3, 1), (s.Gen0Count, s.Gen1Count, s.Gen2Count));
        Assert.Equal((9, 1, 0), (s.NonConcurrentCount, s.BackgroundCount, s.ForegroundCount));
        Assert.Equal(new[] { "AllocSmall", "Induced" }, s.CountByReason.Keys);
        Assert.Equal(new[] { 5, 5 }, s.CountByReason.Values);
        Assert.Equal(42, s.ProcessId);

        GcPauseSummary empty = PauseStatistics.Summarize(Array.Empty<GcPause>());
        Assert.Equal(0, empty.Count);
        Assert.Equal(0, empty.P99PauseMs);
    }
}

/// <summary>Tests that starve the thread pool: they run alone, after the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StarvedThreadPoolCollection
{
    public const string Name = "starved thread pool";
}

[Collection(StarvedThreadPoolCollection.Name)]
public sealed class StarvedThreadPoolTests
{
    [Fact]
    public void DurationEndsAPauseSessionWhileThePoolIsStarved()
    {
        // A host whose pool is busy (a runbook running many runspaces) must still see -Duration end the session: the stop runs
        // on threads of its own. With the stop on the pool, this session ran for as long as the pool stayed busy.
        using var fixture = FixtureProcess.Start("gc");
        GcPauseSessionResult result = RunStarved(() =>
            new GcPauseReader().ReadLive(new GcPauseSessionOptions { ProcessId = fixture.Id, Duration = TimeSpan.FromSeconds(1) }, _ => { }, CancellationToken.None));
        Assert.False(result.TargetExited);
        Assert.InRange(result.WindowMs, 900, 10_000);
    }

    [Fact]
    public void AllocationSamplingEndsWhileThePoolIsStarved()
    {
        using var fixture = FixtureProcess.Start("alloc");
        AllocationResult result = RunStarved(() =>
            new AllocationSampler().SampleProcess(fixture.Id, new AllocationOptions { Duration = TimeSpan.FromSeconds(1), DutyCycle = 1 }, CancellationToken.None));
        Assert.False(result.TargetExited);
        Assert.True(result.TotalSamples > 0, "no allocation sample");
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a thread of its own while every thread the pool may use is blocked, and asserts it ends
    /// within 15 s; the pool is given back afterwards.
    /// </summary>
    private static T RunStarved<T>(Func<T> work)
    {
        ThreadPool.GetMaxThreads(out int maxWorkers, out int maxIo);
        var release = new ManualResetEventSlim(); // not disposed: blockers may start only after the release
        int workers = Environment.ProcessorCount;
        Assert.True(ThreadPool.SetMaxThreads(workers, maxIo));
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        try
        {
            for (int i = 0; i < workers; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => release.Wait(), null);
            }

            var sw = Stopwatch.StartNew();
            int available;
            while ((available = AvailableWorkers()) > 0 && sw.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(10);
            }

            Assert.Equal(0, available); // the pool is starved: nothing queued to it runs until the release

            thread.Start();
            Assert.True(thread.Join(TimeSpan.FromSeconds(15)), "a 1 s session was still running 15 s later with the thread pool starved");
        }
        finally
        {
            release.Set();
            ThreadPool.SetMaxThreads(maxWorkers, maxIo);
            if ((thread.ThreadState & System.Threading.ThreadState.Unstarted) == 0)
            {
                thread.Join(TimeSpan.FromSeconds(30));
            }
        }

        Assert.Null(failure);
        return result;
    }

    private static int AvailableWorkers()
    {
        ThreadPool.GetAvailableThreads(out int workers, out _);
        return workers;
    }
}
