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
