using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace GcTriage.Core.Tests;

/// <summary>
/// GCs that overlap a capture the module made: CaptureLog spans (this process's Stopwatch) against the runtime's event timestamps
/// of a live session, and Measure-GcPause's statistics leaving them out.
/// </summary>
public sealed class CaptureOverlapTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private static (long First, long Last) Command(FixtureProcess fixture, string command)
    {
        fixture.Send(command);
        Match m = Regex.Match(fixture.WaitForLine("DONE", s_wait), @"first=(\d+) last=(\d+)");
        Assert.True(m.Success);
        return (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value));
    }

    private static List<GcPause> WaitFor(ConcurrentQueue<GcPause> pauses, long first, long last)
    {
        var sw = Stopwatch.StartNew();
        while (pauses.Count(p => p.Number >= first && p.Number <= last) < last - first + 1 && sw.Elapsed < s_wait)
        {
            Thread.Sleep(20);
        }

        return pauses.Where(p => p.Number >= first && p.Number <= last).OrderBy(p => p.Number).ToList();
    }

    [Fact]
    public void GcsInsideACaptureSpanAreMarkedAndOthersNot()
    {
        using FixtureProcess fixture = FixtureProcess.Start("gc");
        var log = new CaptureLog();
        var pauses = new ConcurrentQueue<GcPause>();
        using var cts = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        var options = new GcPauseSessionOptions { ProcessId = fixture.Id, SessionStarted = started.Set, Captures = log };
        Task<GcPauseSessionResult> session = Task.Run(() => new GcPauseReader().ReadLive(options, pauses.Enqueue, cts.Token));
        Assert.True(started.Wait(s_wait));
        try
        {
            // A span that closed before the GCs ran: nothing is marked.
            long before = Stopwatch.GetTimestamp();
            log.Add("earlier", before - Stopwatch.Frequency, before);
            var (a1, a2) = Command(fixture, "gen2 2");
            List<GcPause> outside = WaitFor(pauses, a1, a2);
            Assert.Equal(2, outside.Count);
            Assert.All(outside, p => Assert.False(p.OverlapsCapture));

            // GCs that run while a span is open (as during a dump): marked with that capture, whether they are emitted while the
            // span is still open or after it closed.
            (long First, long Last) inside;
            using (log.Begin("/tmp/capture.dmp"))
            {
                inside = Command(fixture, "gen1 3");
                Assert.Equal(3, WaitFor(pauses, inside.First, inside.Last).Count);
            }

            List<GcPause> marked = WaitFor(pauses, inside.First, inside.Last);
            Assert.All(marked, p =>
            {
                Assert.True(p.OverlapsCapture);
                Assert.Equal("/tmp/capture.dmp", p.OverlappedCapture);
            });

            // After the span closed: not marked again.
            var (c1, c2) = Command(fixture, "gen0 2");
            List<GcPause> after = WaitFor(pauses, c1, c2);
            Assert.Equal(2, after.Count);
            Assert.All(after, p => Assert.False(p.OverlapsCapture));
        }
        finally
        {
            Stop(cts, session);
        }
    }

    private static void Stop(CancellationTokenSource cts, Task<GcPauseSessionResult> session)
    {
        cts.Cancel();
        Assert.True(session.Wait(s_wait), "the session did not stop within 30 s of cancellation");
    }

    [Fact]
    public void SpansOverlapByTheirEnds()
    {
        var log = new CaptureLog();
        log.Add("a", 100, 200);
        Assert.Null(log.FindOverlap(10, 100));   // ends as the capture starts
        Assert.Equal("a", log.FindOverlap(10, 101));
        Assert.Equal("a", log.FindOverlap(150, 160));
        Assert.Equal("a", log.FindOverlap(199, 500));
        Assert.Null(log.FindOverlap(200, 500));  // starts as the capture ends
        using (log.Begin("open"))
        {
            long now = Stopwatch.GetTimestamp();
            Assert.Equal("open", log.FindOverlap(now, now + 10));
        }

        Assert.Equal(2, log.Count);
    }

    private static GcPause Pause(long number, double ms, int gen = 0, bool capture = false) => new()
    {
        Number = number,
        PauseMs = ms,
        Generation = gen,
        Reason = "AllocSmall",
        PauseTimePercent = 10,
        OverlapsCapture = capture,
        OverlappedCapture = capture ? "x.dmp" : null,
        ProcessId = 7,
    };

    [Fact]
    public void SummaryLeavesCapturePausesOutUnlessAsked()
    {
        GcPause[] pauses = { Pause(1, 2), Pause(2, 4), Pause(3, 3792, 0, capture: true), Pause(4, 6, 1), Pause(5, 13298, 1, capture: true) };
        GcPauseSummary s = PauseStatistics.Summarize(pauses);
        Assert.Equal(3, s.Count);
        Assert.Equal(2, s.CapturePausesExcluded);
        Assert.Equal(6, s.MaxPauseMs);
        Assert.Equal(12, s.TotalPauseMs);
        Assert.Equal(4, s.P50PauseMs);
        Assert.Equal(2, s.Gen0Count);
        Assert.Equal(1, s.Gen1Count);
        Assert.Equal(3, s.CountByReason["AllocSmall"]);
        // The window keeps the excluded GCs' time: each GC's interval is PauseMs * 100 / 10.
        Assert.Equal((2 + 4 + 3792 + 6 + 13298) * 10.0, s.WindowMs, 6);

        GcPauseSummary all = PauseStatistics.Summarize(pauses, includeCapturePauses: true);
        Assert.Equal(5, all.Count);
        Assert.Equal(0, all.CapturePausesExcluded);
        Assert.Equal(13298, all.MaxPauseMs);
        Assert.Equal(s.WindowMs, all.WindowMs);
        Assert.Equal(7, all.ProcessId);
    }
    [Fact]
    public void TheReportListsCapturePausesApartFromItsFigures()
    {
        GcPause[] pauses = { Pause(1, 2), Pause(2, 4), Pause(3, 3792, 0, capture: true) };
        var report = new GcTriageReport { Pauses = pauses, PauseSummary = PauseStatistics.Summarize(pauses) };
        string html = TriageHtml.Render(report, "{}");
        Assert.Contains("<h3 id=\"capture-pauses\">GCs during a capture</h3><p>1 GC(s) ran while the process was frozen for a dump: their pauses hold the freeze, so the figures above leave them out.</p>", html);
        Assert.Contains("<td class=\"t\">3</td><td>0</td><td>3792 ms</td><td class=\"t\">x.dmp</td>", html);
        Assert.DoesNotContain("3792 ms</td><td>", html.Substring(0, html.IndexOf("capture-pauses", StringComparison.Ordinal)));

        var none = new GcTriageReport { Pauses = pauses[..2], PauseSummary = PauseStatistics.Summarize(pauses[..2]) };
        Assert.DoesNotContain("capture-pauses", TriageHtml.Render(none, "{}"));
    }
}
