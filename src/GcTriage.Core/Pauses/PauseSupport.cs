using System.Diagnostics;

namespace GcTriage.Core;

/// <summary>Opening the target process and telling "gone" from "not .NET".</summary>
internal static class TargetProcess
{
    public static Process Open(int processId)
    {
        try
        {
            Process p = Process.GetProcessById(processId);
            if (HasExited(p))
            {
                p.Dispose();
                throw new ProcessNotFoundException(processId);
            }

            return p;
        }
        catch (ArgumentException)
        {
            throw new ProcessNotFoundException(processId);
        }
    }

    public static bool HasExited(Process p)
    {
        try
        {
            return p.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public static bool WaitExited(Process p, TimeSpan timeout)
    {
        try
        {
            return p.WaitForExit(timeout);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return HasExited(p);
        }
    }

    public static string? SafeName(Process p)
    {
        try
        {
            return p.ProcessName;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }
}

/// <summary>Files the module writes are readable by their owner only.</summary>
internal static class PrivateFile
{
    public static FileStream Create(string path, bool force)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full) && !force)
        {
            throw new FileExistsException(full);
        }

        var options = new FileStreamOptions
        {
            Mode = force ? FileMode.Create : FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(full, options);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite); // an overwritten file keeps its old mode otherwise
        }

        return stream;
    }
}
