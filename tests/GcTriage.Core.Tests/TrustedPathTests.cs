using System.Diagnostics;

namespace GcTriage.Core.Tests;

/// <summary>The trust rule for native code, on real files and folders (Linux): owners, modes, links, the sticky bit.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TrustedPathTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string NewFile(string folder, UnixFileMode mode)
    {
        string file = Path.Combine(folder, "libmscordaccore.so");
        File.WriteAllText(file, "not really a library");
        File.SetUnixFileMode(file, mode);
        return file;
    }

    private string NewFolder(string name, UnixFileMode mode)
    {
        string folder = _temp.File(name);
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, mode);
        return folder;
    }

    private const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public void A_file_of_ours_in_folders_of_ours_and_roots_is_trusted()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the owner and mode rule; the Windows ACL variant is not runnable here
        }

        string file = NewFile(NewFolder("ok", Mode755), Mode644);
        Assert.Null(TrustedPath.WhyUntrusted(file));
    }

    [Fact]
    public void A_file_others_can_write_is_not()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the owner and mode rule; the Windows ACL variant is not runnable here
        }

        string file = NewFile(NewFolder("f666", Mode755), Mode644 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        Assert.Equal($"the file '{file}' is writable by others (mode 666)", TrustedPath.WhyUntrusted(file));
    }

    [Fact]
    public void A_folder_its_group_or_others_can_write_is_not()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the owner and mode rule; the Windows ACL variant is not runnable here
        }

        string group = NewFolder("g775", Mode755 | UnixFileMode.GroupWrite);
        Assert.Equal($"its folder '{group}' is writable by its group (mode 775)", TrustedPath.WhyUntrusted(NewFile(group, Mode644)));
        string others = NewFolder("o777", Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        Assert.Equal($"its folder '{others}' is writable by others (mode 777)", TrustedPath.WhyUntrusted(NewFile(others, Mode644)));
    }

    [Fact]
    public void A_sticky_world_writable_folder_on_the_way_is_trusted()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the owner and mode rule; the Windows ACL variant is not runnable here
        }

        string sticky = NewFolder("sticky", Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit);
        string inner = Path.Combine(sticky, "mine");
        Directory.CreateDirectory(inner);
        File.SetUnixFileMode(inner, Mode755);
        Assert.Null(TrustedPath.WhyUntrusted(NewFile(inner, Mode644)));
    }

    [Fact]
    public void A_link_in_a_trusted_folder_to_a_file_in_an_untrusted_one_is_not()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the owner and mode rule; the Windows ACL variant is not runnable here
        }

        string open = NewFolder("open", Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        string target = NewFile(open, Mode644);
        string link = Path.Combine(NewFolder("links", Mode755), "libmscordaccore.so");
        File.CreateSymbolicLink(link, target);
        Assert.Equal($"its folder '{open}' is writable by others (mode 777)", TrustedPath.WhyUntrusted(link));
    }

    [Fact]
    public void A_folder_owned_by_another_user_is_not()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return; // needs root to give a folder to nobody
        }

        string folder = NewFolder("nobody", Mode755);
        string file = NewFile(folder, Mode644);
        using (var chown = Process.Start("chown", new[] { "nobody", folder }))
        {
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }

        string uid = Process.Start(new ProcessStartInfo("id", "-u nobody") { RedirectStandardOutput = true })!.StandardOutput.ReadToEnd().Trim();
        Assert.Equal($"its folder '{folder}' is owned by uid {uid}, neither root nor the current user", TrustedPath.WhyUntrusted(file));
    }
}
