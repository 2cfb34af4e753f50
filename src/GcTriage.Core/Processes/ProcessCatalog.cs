using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace GcTriage.Core;

/// <summary>The .NET processes that publish a diagnostics IPC channel here, and the checks every live command makes on a pid.</summary>
public static class ProcessCatalog
{
    /// <summary>Ids of the processes with a diagnostics channel (the ones dotnet-counters ps lists), stale sockets left out.</summary>
    public static IReadOnlyList<int> PublishedProcessIds() => DiagnosticsClient.GetPublishedProcesses().Distinct().Where(IsCurrentChannel).Order().ToList();

    /// <summary>Throws ProcessNotFoundException or NotDotNetProcessException unless <paramref name="processId"/> is a reachable .NET process.</summary>
    public static void EnsureDotNetProcess(int processId)
    {
        string? name = ProcessName(processId) ?? throw new ProcessNotFoundException(processId);
        if (!DiagnosticsClient.GetPublishedProcesses().Contains(processId) || !IsCurrentChannel(processId))
        {
            throw new NotDotNetProcessException(processId, name);
        }
    }

    /// <summary>
    /// On Linux the runtime names its socket dotnet-diagnostic-&lt;pid&gt;-&lt;start time&gt;-socket, the start time being field 22 of
    /// /proc/&lt;pid&gt;/stat. A .NET process that was killed leaves its socket behind, and NETCore.Client lists every socket by
    /// name: once the pid is reused by another program, that program would pass for .NET. Only a socket whose key is the
    /// current process's start time counts. Elsewhere, or when /proc cannot be read, the listing is taken as it is.
    /// </summary>
    internal static bool IsCurrentChannel(int processId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        try
        {
            string stat = File.ReadAllText($"/proc/{processId}/stat");
            // Fields after the command name, which is in parentheses and may itself hold spaces or parentheses.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            string startTime = fields[19]; // field 22 of the whole line; fields[0] here is field 3
            return File.Exists(Path.Combine(Path.GetTempPath(), $"dotnet-diagnostic-{processId}-{startTime}-socket"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return true;
        }
    }

    public static GcProcess Describe(int processId)
    {
        string? name = ProcessName(processId) ?? throw new ProcessNotFoundException(processId);
        string? runtimePath = RuntimeModulePath(processId);
        GcModeInfo mode = new GcSettingReader().ReadConfiguredMode(processId);
        return new GcProcess
        {
            GcMode = mode.GcMode,
            Concurrent = mode.Concurrent,
            HeapCount = mode.HeapCount,
            ProcessId = processId,
            Name = name,
            CommandLine = CommandLine(processId),
            RuntimeVersion = runtimePath is null ? null : Path.GetFileName(Path.GetDirectoryName(runtimePath)),
            OperatingSystem = OperatingSystem.IsWindows() ? "Windows" : OperatingSystem.IsMacOS() ? "macOS" : OperatingSystem.IsLinux() ? "Linux" : null,
        };
    }

    internal static string? ProcessName(int processId)
    {
        try
        {
            using var p = Process.GetProcessById(processId);
            return p.HasExited ? null : p.ProcessName;
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The application's name as a person calls it: for a framework-dependent app started as "dotnet [options] App.dll", the
    /// entry assembly's name (App); otherwise the process name. Null when neither is known.
    /// </summary>
    internal static string? ApplicationName(string? processName, string? commandLine)
    {
        bool host = processName is not null
            && (string.Equals(processName, "dotnet", StringComparison.OrdinalIgnoreCase) || string.Equals(processName, "dotnet.exe", StringComparison.OrdinalIgnoreCase));
        if (host && commandLine is not null)
        {
            foreach (string arg in commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                string a = arg.Trim('"');
                if (a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                {
                    return Path.GetFileNameWithoutExtension(a);
                }
            }
        }

        return processName;
    }

    /// <summary>The command line, from /proc on Linux; on other systems what Process can tell.</summary>
    internal static string? CommandLine(int processId)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                byte[] raw = File.ReadAllBytes($"/proc/{processId}/cmdline");
                return string.Join(' ', System.Text.Encoding.UTF8.GetString(raw).Split('\0', StringSplitOptions.RemoveEmptyEntries));
            }

            using var p = Process.GetProcessById(processId);
            return p.MainModule?.FileName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Where the process loaded libcoreclr.so / coreclr.dll from (its folder name is the runtime version).</summary>
    internal static string? RuntimeModulePath(int processId)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                foreach (string line in File.ReadLines($"/proc/{processId}/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash > 0 && line.EndsWith("/" + DacLocator.RuntimeFileName, StringComparison.Ordinal))
                    {
                        return line[slash..];
                    }
                }

                return null;
            }

            using var p = Process.GetProcessById(processId);
            foreach (ProcessModule m in p.Modules)
            {
                if (string.Equals(m.ModuleName, DacLocator.RuntimeFileName, StringComparison.OrdinalIgnoreCase))
                {
                    return m.FileName;
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
