namespace GcTriage.Core.Tests;

/// <summary>The one file writer: exclusive, owner-only, renamed into place; links and non-regular files refused.</summary>
public sealed class OwnerOnlyFileTests
{
    private const UnixFileMode Shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public void A_new_file_is_0600_and_appears_only_when_complete()
    {
        using var temp = new TempDirectory();
        string path = temp.File("a.csv");
        using (OwnerOnlyFileStream stream = OwnerOnlyFile.Create(path, overwrite: false))
        {
            stream.Write("hello"u8);
            Assert.False(File.Exists(path));
            string tempFile = Assert.Single(Directory.GetFiles(temp.Path));
            Assert.StartsWith(".a.csv.gctriage-", Path.GetFileName(tempFile));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(OwnerOnlyFile.OwnerFileMode, File.GetUnixFileMode(tempFile));
            }
        }

        Assert.Equal("hello", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(temp.Path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnlyFile.OwnerFileMode, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void An_existing_file_needs_overwrite_and_is_replaced_by_a_new_0600_file()
    {
        using var temp = new TempDirectory();
        string path = temp.File("types.csv");
        File.WriteAllText(path, "last week");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Shared);
        }

        var e = Assert.Throws<FileExistsException>(() => OwnerOnlyFile.Create(path, overwrite: false));
        Assert.Equal(ErrorCatalog.FileExists, e.ErrorId);
        Assert.Equal("last week", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(temp.Path));

        OwnerOnlyFile.WriteAllBytes(path, "this week"u8, overwrite: true);
        Assert.Equal("this week", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnlyFile.OwnerFileMode, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void A_link_is_never_written_through_even_with_overwrite_and_its_target_is_unchanged()
    {
        using var temp = new TempDirectory();
        string victim = temp.File("victim");
        File.WriteAllText(victim, "precious");
        string link = temp.File("report.json");
        File.CreateSymbolicLink(link, victim);
        string dangling = temp.File("dangling.csv");
        File.CreateSymbolicLink(dangling, temp.File("would-be-created"));
        foreach (string path in new[] { link, dangling })
        {
            foreach (bool overwrite in new[] { false, true })
            {
                var e = Assert.Throws<GcTriageException>(() => OwnerOnlyFile.Create(path, overwrite));
                Assert.Equal(ErrorCatalog.OutputIsLink, e.ErrorId);
                Assert.Equal(GcErrorKind.SecurityError, e.Kind);
            }
        }

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.False(File.Exists(temp.File("would-be-created")));
        Assert.Equal(3, Directory.GetFileSystemEntries(temp.Path).Length);
    }

    [Fact]
    public void A_device_a_fifo_and_a_folder_are_refused_even_with_overwrite()
    {
        using var temp = new TempDirectory();
        var targets = new List<string> { temp.Path };
        if (!OperatingSystem.IsWindows())
        {
            Run("mkfifo", temp.File("fifo"));
            targets.Add(temp.File("fifo"));
            targets.Add(NullTwin(temp));
        }

        foreach (string target in targets)
        {
            var e = Assert.Throws<GcTriageException>(() => OwnerOnlyFile.Create(target, overwrite: true));
            Assert.Equal(ErrorCatalog.OutputNotRegularFile, e.ErrorId);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(FileKind.Other, PathInspector.KindOf("/dev/null"));
            Assert.Equal(FileKind.Other, PathInspector.KindOf(temp.File("fifo")));
            Assert.Equal(FileKind.Other, PathInspector.KindOf(temp.File("null")));
            Assert.Equal(2, Directory.GetFileSystemEntries(temp.Path).Length);
        }
    }

    [Fact]
    public void Place_moves_a_finished_file_owner_only_and_refuses_a_device()
    {
        using var temp = new TempDirectory();
        string staged = temp.File("staged");
        File.WriteAllText(staged, "dump");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(staged, Shared);
            string device = NullTwin(temp);
            var e = Assert.Throws<GcTriageException>(() => OwnerOnlyFile.Place(staged, device, overwrite: true));
            Assert.Equal(FileKind.Other, PathInspector.KindOf(device));
            Assert.Equal(ErrorCatalog.OutputNotRegularFile, e.ErrorId);
            Assert.True(File.Exists(staged));
        }

        string target = temp.File("api.dmp");
        OwnerOnlyFile.Place(staged, target, overwrite: false);
        Assert.Equal("dump", File.ReadAllText(target));
        Assert.False(File.Exists(staged));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnlyFile.OwnerFileMode, File.GetUnixFileMode(target));
        }
    }

    [Fact]
    public void A_discarded_file_leaves_nothing()
    {
        using var temp = new TempDirectory();
        using (OwnerOnlyFileStream stream = OwnerOnlyFile.Create(temp.File("x"), overwrite: false))
        {
            stream.Write("partial"u8);
            stream.Discard();
        }

        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    /// <summary>
    /// A private twin of /dev/null (mknod c 1 3, as root) or, where mknod is not permitted, a FIFO: a test that goes wrong
    /// clobbers it, never the machine's /dev/null.
    /// </summary>
    private static string NullTwin(TempDirectory temp)
    {
        string path = temp.File("null");
        Run("mknod", "-m", "666", path, "c", "1", "3");
        if (PathInspector.KindOf(path) == FileKind.Missing)
        {
            Run("mkfifo", path);
        }

        return path;
    }

    private static void Run(string tool, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        process.WaitForExit();
    }
}
