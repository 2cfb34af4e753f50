namespace GcTriage.Core.Tests;

/// <summary>Opening dumps: bad files, the DAC search and its errors, cancellation, closing.</summary>
public sealed class DumpSessionTests : IClassFixture<HeapDumpFixture>
{
    private readonly HeapDumpFixture _dump;

    public DumpSessionTests(HeapDumpFixture dump) => _dump = dump;

    [Fact]
    public void A_missing_file_is_DumpNotFound()
    {
        var e = Assert.Throws<DumpNotFoundException>(() => DumpSession.Open(_dump.Temp.File("nope.dmp")));
        Assert.Equal("DumpNotFound", e.ErrorId);
        Assert.Equal(GcErrorKind.ObjectNotFound, e.Kind);
    }

    [Fact]
    public void A_text_file_is_DumpFormat()
    {
        string text = _dump.Temp.File("notes.txt");
        File.WriteAllText(text, "this is not a dump\n");
        var e = Assert.Throws<DumpFormatException>(() => DumpSession.Open(text));
        Assert.Equal("DumpFormat", e.ErrorId);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void A_dump_truncated_to_8_MB_is_DumpFormat()
    {
        string truncated = _dump.Temp.File("truncated.dmp");
        using (var source = File.OpenRead(_dump.DumpPath))
        using (var target = File.Create(truncated))
        {
            var buffer = new byte[8 * 1024 * 1024];
            source.ReadExactly(buffer);
            target.Write(buffer);
        }

        var e = Assert.ThrowsAny<GcTriageException>(() =>
        {
            using var s = DumpSession.Open(truncated);
            s.GetIndex();
        });
        Assert.Equal("DumpFormat", e.ErrorId);
    }

    [Fact]
    public void A_DacPath_that_is_not_a_DAC_is_InvalidDac()
    {
        string fake = _dump.Temp.File(DacLocator.DacFileName);
        File.WriteAllText(fake, "not a library");
        var e = Assert.Throws<InvalidDacException>(() => DumpSession.Open(_dump.DumpPath, new DumpOpenOptions { DacPath = fake }));
        Assert.Equal("InvalidDac", e.ErrorId);
        Assert.Contains(fake, e.Message);
        Assert.Throws<InvalidDacException>(() => DumpSession.Open(_dump.DumpPath, new DumpOpenOptions { DacPath = _dump.Temp.File("missing.so") }));
    }

    [Fact]
    public void The_right_DacPath_opens_the_dump()
    {
        using var session = DumpSession.Open(_dump.DumpPath, new DumpOpenOptions { DacPath = _dump.Session.Dac.DacPath });
        Assert.Equal("DacPath", session.Dac.Source);
        Assert.True(session.GetIndex().Count > 0);
    }

    [Fact]
    public void When_no_DAC_fits_the_error_names_the_build_id_and_DacPath()
    {
        var locator = new DacLocator(searchPaths: new[] { _dump.Temp.Path }, dotnetRoots: DacLocator.DefaultDotnetRoots());
        var request = new DacRequest(_dump.DumpPath, "/nowhere/10.0.99/libcoreclr.so", "0.0", "00112233445566778899aabbccddeeff00112233", null);
        var rejected = new List<GcDacCandidate>();
        Assert.Empty(locator.FindCandidates(request, rejected));
        Assert.Contains(rejected, r => r.Source == "InstalledRuntime" && r.Reason.Contains("build-id"));
        string message = locator.DescribeFailure(request, rejected);
        Assert.Contains("00112233445566778899aabbccddeeff00112233", message);
        Assert.Contains("-DacPath", message);
        Assert.Contains("GCTRIAGE_DAC_PATH", message);
    }

    [Fact]
    public void A_DAC_is_matched_by_build_id_when_the_version_reads_zero()
    {
        string runtimeDir = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        string? buildId = ElfBuildId.Read(Path.Combine(runtimeDir, DacLocator.RuntimeFileName));
        Assert.Matches("^[0-9a-f]{40}$", buildId);
        var locator = new DacLocator(dotnetRoots: DacLocator.DefaultDotnetRoots());
        var request = new DacRequest(_dump.DumpPath, "/elsewhere/libcoreclr.so", "0.0", buildId, null);
        DacCandidate match = locator.FindCandidates(request, new List<GcDacCandidate>()).First();
        Assert.Equal("InstalledRuntime", match.Source);
        Assert.Equal(Path.GetFileName(runtimeDir.TrimEnd('/')), match.RuntimeVersion);
        Assert.Contains("build-id", match.Reason);
    }

    [Fact]
    public void A_cancelled_walk_leaves_the_session_usable()
    {
        using var session = DumpSession.Open(_dump.DumpPath);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => session.GetIndex(cts.Token));
        Assert.False(session.IsIndexed);
        Assert.Equal(_dump.Session.GetIndex().Count, session.GetIndex().Count);
    }

    [Fact]
    public void A_closed_session_says_so()
    {
        var session = DumpSession.Open(_dump.DumpPath);
        session.Dispose();
        Assert.False(session.IsOpen);
        var e = Assert.Throws<DumpClosedException>(() => session.GetIndex());
        Assert.Equal("DumpClosed", e.ErrorId);
        session.Dispose();
    }
}
