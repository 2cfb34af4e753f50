using System.Diagnostics;

namespace GcTriage.Core.Tests;

/// <summary>Writing dumps of live processes and the errors on bad targets.</summary>
public sealed class DumpWriterTests
{
    [Fact]
    public void A_dump_is_owner_only_and_is_not_overwritten_without_force()
    {
        using var temp = new TempDirectory();
        using var fixture = FixtureProcess.Start("heap");
        string path = temp.File("a.dmp");
        FileInfo file = DumpWriter.Write(fixture.Id, path, GcDumpType.Mini, force: false);
        Assert.True(file.Length > 0);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        long before = file.Length;
        var e = Assert.Throws<FileExistsException>(() => DumpWriter.Write(fixture.Id, path, GcDumpType.Mini, force: false));
        Assert.Equal("FileExists", e.ErrorId);
        Assert.Equal(before, new FileInfo(path).Length);
        Assert.True(DumpWriter.Write(fixture.Id, path, GcDumpType.Mini, force: true).Exists);
        Assert.Single(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void A_pid_that_does_not_exist_is_ProcessNotFound()
    {
        using var temp = new TempDirectory();
        var e = Assert.Throws<ProcessNotFoundException>(() => DumpWriter.Write(int.MaxValue - 7, temp.File("x.dmp"), GcDumpType.Heap, false));
        Assert.Equal("ProcessNotFound", e.ErrorId);
    }

    [Fact]
    public void A_process_that_is_not_dotnet_is_NotDotNetProcess()
    {
        using var temp = new TempDirectory();
        using var sleep = Process.Start(new ProcessStartInfo(OperatingSystem.IsWindows() ? "ping" : "sleep", OperatingSystem.IsWindows() ? "-n 60 127.0.0.1" : "60"))!;
        try
        {
            var e = Assert.Throws<NotDotNetProcessException>(() => DumpWriter.Write(sleep.Id, temp.File("x.dmp"), GcDumpType.Heap, false));
            Assert.Equal("NotDotNetProcess", e.ErrorId);
            Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
        }
        finally
        {
            sleep.Kill();
        }
    }

    [Fact]
    public void Describe_reads_name_command_line_and_runtime_version()
    {
        using var fixture = FixtureProcess.Start("heap");
        Assert.Contains(fixture.Id, ProcessCatalog.PublishedProcesses().Select(p => p.ProcessId));
        GcProcess p = ProcessCatalog.Describe(fixture.Id);
        Assert.Equal(fixture.Id, p.ProcessId);
        Assert.Contains("GcTriage.Fixture.dll heap", p.CommandLine);
        Assert.Equal(Path.GetFileName(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/')), p.RuntimeVersion);
    }
}

public sealed class WildcardTests
{
    [Theory]
    [InlineData("*Dictionary*", "System.Collections.Generic.Dictionary<System.Int64, System.Boolean>", true)]
    [InlineData("system.string", "System.String", true)]
    [InlineData("System.Int32[]", "System.Int32[]", true)]
    [InlineData("System.Int32`[`]", "System.Int32[]", true)]
    [InlineData("System.Int3?", "System.Int32", true)]
    [InlineData("System.Int3[0-2]", "System.Int32", true)]
    [InlineData("System.Int3[0-1]", "System.Int32", false)]
    [InlineData("*[]", "System.Byte[]", true)]
    [InlineData("Widget", "GcTriage.Fixture.Widget", false)]
    public void Patterns_match_like_PowerShell(string pattern, string text, bool expected) =>
        Assert.Equal(expected, new Wildcard(pattern).IsMatch(text));
}
