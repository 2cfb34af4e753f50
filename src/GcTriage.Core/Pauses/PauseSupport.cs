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
}
