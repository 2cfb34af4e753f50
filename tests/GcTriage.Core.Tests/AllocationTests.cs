using GcTriage.Core;

namespace GcTriage.Core.Tests;

public sealed class AllocationTests
{
    private const string MarkerType = "GcTriage.Fixture.AllocationMarkerPayload";
    private const double MarkerShare = 100.0 * 8 * 136 / (4 * 1048 + 8 * 136); // 20.6 %

    [Fact]
    public void DistinctiveTypeHasItsShareOfBytes()
    {
        using var fixture = FixtureProcess.Start("alloc");
        var result = new AllocationSampler().SampleProcess(fixture.Id, new AllocationOptions { Duration = TimeSpan.FromSeconds(3) }, CancellationToken.None);

        Assert.False(result.TargetExited);
        Assert.True(result.TotalSamples >= 500, $"only {result.TotalSamples} samples");
        var marker = Assert.Single(result.Stats, s => s.TypeName == MarkerType);
        var bytes = Assert.Single(result.Stats, s => s.TypeName == "System.Byte[]" && s.Kind == GcAllocationKind.Small);
        Assert.Equal(GcAllocationKind.Small, marker.Kind);
        Assert.Equal(fixture.Id, marker.ProcessId);
        Assert.InRange(marker.Percent, MarkerShare - 5, MarkerShare + 5);
        Assert.InRange(bytes.Percent, 100 - MarkerShare - 5, 100 - MarkerShare + 5);
        Assert.Equal(result.TotalBytes, result.Stats.Sum(s => s.EstimatedBytes));
        Assert.Equal(result.TotalSamples, result.Stats.Sum(s => s.SampleCount));
        // Sorted by bytes, descending.
        Assert.Equal(result.Stats.OrderByDescending(s => s.EstimatedBytes).Select(s => s.TypeName), result.Stats.Select(s => s.TypeName));
        Assert.Empty(marker.TopFrames);
    }

    [Fact]
    public void ByDefaultTheSessionListensHalfTheWindowAndRatesAreOverWhatItHeard()
    {
        // Default duty cycle 0.5 over a 4 s window: attached 0-1 s and 2-3 s (two periods of 2 s), so about 2 s of listening.
        // With -DutyCycle 1 the session listens the whole window.
        using var fixture = FixtureProcess.Start("alloc");
        var sampler = new AllocationSampler();
        var half = sampler.SampleProcess(fixture.Id, new AllocationOptions { Duration = TimeSpan.FromSeconds(4) }, CancellationToken.None);
        var full = sampler.SampleProcess(fixture.Id, new AllocationOptions { Duration = TimeSpan.FromSeconds(4), DutyCycle = 1 }, CancellationToken.None);

        Assert.InRange(half.DurationSeconds, 3.9, 5);
        Assert.InRange(half.SampledSeconds, 1.9, 2.6);
        Assert.InRange(full.SampledSeconds, 3.9, 5);
        foreach (var result in new[] { half, full })
        {
            var marker = Assert.Single(result.Stats, s => s.TypeName == MarkerType);
            Assert.InRange(marker.Percent, MarkerShare - 5, MarkerShare + 5);
            Assert.Equal(Math.Round(result.SampledSeconds, 3), marker.SampledSeconds);
            Assert.Equal(Math.Round(marker.EstimatedBytes / marker.SampledSeconds, 0), marker.BytesPerSecond);
        }

        // Half the listening, about half the samples (the fixture's rate swings on a busy host: a wide band).
        double ratio = (double)half.TotalSamples / full.TotalSamples;
        Assert.InRange(ratio, 0.25, 0.8);
    }

    [Fact]
    public void TopLimitsRows()
    {
        using var fixture = FixtureProcess.Start("alloc");
        var result = new AllocationSampler().SampleProcess(fixture.Id, new AllocationOptions { Duration = TimeSpan.FromSeconds(2), Top = 1 }, CancellationToken.None);
        var only = Assert.Single(result.Stats);
        Assert.Equal("System.Byte[]", only.TypeName);
    }

    [Fact]
    public void StacksNameTheAllocatingMethod()
    {
        using var fixture = FixtureProcess.Start("alloc");
        using var temp = new TempDirectory();
        string folded = temp.File("alloc.folded");
        var result = new AllocationSampler().SampleProcess(fixture.Id,
            new AllocationOptions { Duration = TimeSpan.FromSeconds(3), IncludeStack = true, FoldedStackPath = folded }, CancellationToken.None);

        var marker = Assert.Single(result.Stats, s => s.TypeName == MarkerType);
        Assert.Contains(marker.TopFrames, f => f.EndsWith("AllocMode.AllocateDistinctiveMarkers", StringComparison.Ordinal));
        var bytes = Assert.Single(result.Stats, s => s.TypeName == "System.Byte[]" && s.Kind == GcAllocationKind.Small);
        Assert.Contains(bytes.TopFrames, f => f.EndsWith("AllocMode.AllocateBuffers", StringComparison.Ordinal));

        string[] lines = File.ReadAllLines(folded);
        Assert.Equal(result.FoldedLines, lines.Length);
        var markerLines = lines.Where(l => l.Contains("[" + MarkerType + "] ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(markerLines);
        long markerWeight = 0;
        foreach (string line in markerLines)
        {
            int space = line.LastIndexOf(' ');
            string[] frames = line[..space].Split(';');
            Assert.Equal("[" + MarkerType + "]", frames[^1]);
            // Root first: the allocating method sits right above the type, the thread's loop above it.
            Assert.EndsWith("AllocMode.AllocateDistinctiveMarkers", frames[^2]);
            Assert.Contains(frames, f => f.EndsWith("AllocMode.Loop", StringComparison.Ordinal));
            markerWeight += long.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }

        // Every stack of the type is in the file, weighted by its estimated bytes.
        Assert.Equal(marker.EstimatedBytes, markerWeight);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(folded));
        }
    }

    /// <summary>
    /// A nested type as a tick names it, generic arguments taken out: "Acme.Outer&lt;K, V&gt;+Entry[]" and
    /// "System.RuntimeType+RuntimeTypeCache" are "Entry[]" and "RuntimeTypeCache" (the runtime drops the enclosing type); null
    /// for a type that is not nested.
    /// </summary>
    private static string? TickNameOfNested(string heapName)
    {
        string bare = WithoutArguments(heapName);
        int at = bare.LastIndexOf('+');
        return at < 0 ? null : bare[(at + 1)..];
    }

    private static string WithoutArguments(string name) => System.Text.RegularExpressions.Regex.Replace(name, "<.*>", "");

    [Fact]
    public void RecordedTraceGivesTheSameFigures()
    {
        using var fixture = FixtureProcess.Start("alloc");
        using var temp = new TempDirectory();
        string trace = temp.File("alloc.nettrace");
        var sampler = new AllocationSampler();
        var live = sampler.SampleProcess(fixture.Id, new AllocationOptions { Duration = TimeSpan.FromSeconds(5), OutFile = trace }, CancellationToken.None);
        var read = sampler.ReadTrace(trace, new AllocationOptions(), CancellationToken.None);

        Assert.True(live.TotalSamples > 0);
        Assert.Equal(live.TotalSamples, read.TotalSamples);
        Assert.Equal(live.TotalBytes, read.TotalBytes);
        // The same rows. Names too, but for a nested type (a Dictionary's Entry[], RuntimeType+RuntimeTypeCache): the live session
        // names it from the process as the heap commands do, the trace only has the tick's name, which the runtime writes without
        // the enclosing type.
        Assert.Equal(live.Stats.Count, read.Stats.Count);
        Assert.All(live.Stats, l => Assert.Single(read.Stats, r => r.Kind == l.Kind && r.SampleCount == l.SampleCount && r.EstimatedBytes == l.EstimatedBytes
            && (r.TypeName == l.TypeName || TickNameOfNested(l.TypeName) == WithoutArguments(r.TypeName))));
        Assert.All(read.Stats, s => Assert.Equal(fixture.Id, s.ProcessId));
    }

    [Fact]
    public void RecordedTraceWithStacksResolvesLater()
    {
        using var fixture = FixtureProcess.Start("alloc");
        using var temp = new TempDirectory();
        string trace = temp.File("stacks.nettrace");
        var sampler = new AllocationSampler();
        var live = sampler.SampleProcess(fixture.Id, new AllocationOptions { Duration = TimeSpan.FromSeconds(2), IncludeStack = true, OutFile = trace }, CancellationToken.None);
        Assert.True(File.Exists(trace));
        var read = sampler.ReadTrace(trace, new AllocationOptions { IncludeStack = true }, CancellationToken.None);

        Assert.Equal(live.TotalSamples, read.TotalSamples);
        var marker = Assert.Single(read.Stats, s => s.TypeName == MarkerType);
        Assert.EndsWith("AllocMode.AllocateDistinctiveMarkers", marker.TopFrames[0]);
    }

    [Fact]
    public void FoldedFileIsNotOverwrittenWithoutForce()
    {
        using var fixture = FixtureProcess.Start("alloc");
        using var temp = new TempDirectory();
        string folded = temp.File("exists.folded");
        File.WriteAllText(folded, "keep");
        var e = Assert.Throws<FileExistsException>(() => new AllocationSampler().SampleProcess(fixture.Id,
            new AllocationOptions { Duration = TimeSpan.FromSeconds(1), FoldedStackPath = folded }, CancellationToken.None));
        Assert.Equal("FileExists", e.ErrorId);
        Assert.Equal("keep", File.ReadAllText(folded));
    }

    [Fact]
    public void NoSuchProcess()
    {
        var e = Assert.Throws<ProcessNotFoundException>(() => new AllocationSampler().SampleProcess(int.MaxValue - 7,
            new AllocationOptions { Duration = TimeSpan.FromSeconds(1) }, CancellationToken.None));
        Assert.Equal("ProcessNotFound", e.ErrorId);
    }

    [Fact]
    public void NotDotNetProcess()
    {
        using var sleep = System.Diagnostics.Process.Start("sleep", "60");
        try
        {
            var e = Assert.Throws<NotDotNetProcessException>(() => new AllocationSampler().SampleProcess(sleep.Id,
                new AllocationOptions { Duration = TimeSpan.FromSeconds(1) }, CancellationToken.None));
            Assert.Equal("NotDotNetProcess", e.ErrorId);
        }
        finally
        {
            sleep.Kill();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TargetExitingMidSessionKeepsWhatWasSeen(bool stacks)
    {
        using var fixture = FixtureProcess.Start("alloc");
        var killer = Task.Run(async () =>
        {
            await Task.Delay(1500);
            fixture.Process.Kill();
        });
        var result = new AllocationSampler().SampleProcess(fixture.Id,
            new AllocationOptions { Duration = TimeSpan.FromSeconds(30), IncludeStack = stacks }, CancellationToken.None);
        await killer;
        Assert.True(result.TargetExited);
        Assert.True(result.DurationSeconds < 25);
        Assert.Contains(result.Stats, s => s.TypeName == "System.Byte[]");
    }

    [Fact]
    public void CancellationStopsPromptlyAndReleasesTheTarget()
    {
        using var fixture = FixtureProcess.Start("alloc");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => new AllocationSampler().SampleProcess(fixture.Id,
            new AllocationOptions { Duration = TimeSpan.FromSeconds(60) }, cts.Token));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20));
        // A second session works: the first one is gone.
        var again = new AllocationSampler().SampleProcess(fixture.Id, new AllocationOptions { Duration = TimeSpan.FromSeconds(1) }, CancellationToken.None);
        Assert.Contains(again.Stats, s => s.TypeName == "System.Byte[]");
    }

    [Fact]
    public void TruncatedTraceIsAnError()
    {
        using var temp = new TempDirectory();
        string path = temp.File("cut.nettrace");
        File.WriteAllBytes(path, "Nettrace"u8.ToArray().Concat(new byte[] { 0x14, 0, 0, 0 }).Concat(System.Text.Encoding.ASCII.GetBytes("!FastSerialization.1")).ToArray());
        var e = Assert.Throws<AllocationTraceFormatException>(() => new AllocationSampler().ReadTrace(path, new AllocationOptions(), CancellationToken.None));
        Assert.Equal("TraceFormat", e.ErrorId);
    }

    [Fact]
    public void MissingTraceIsNotFound()
    {
        Assert.Throws<AllocationTraceNotFoundException>(() => new AllocationSampler().ReadTrace("/nonexistent/x.nettrace", new AllocationOptions(), CancellationToken.None));
    }
}
