using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace GcTriage.Core;

/// <summary>The .NET processes that publish a diagnostics IPC channel here, and the checks every live command makes on a pid.</summary>
public static class ProcessCatalog
{
    /// <summary>
    /// The processes with a diagnostics channel of their own (the ones dotnet-counters ps lists), each probed: stale or foreign
    /// sockets left out, stopped processes kept (Describe then leaves their channel alone).
    /// </summary>
    public static IReadOnlyList<ProcessProbeResult> PublishedProcesses() =>
        DiagnosticsClient.GetPublishedProcesses().Distinct().Order()
            .Select(ProcessProbe.Probe)
            .Where(p => p.State is ProcessProbeState.Ready or ProcessProbeState.Stopped)
            .ToList();

    /// <summary>
    /// Throws unless <paramref name="processId"/> is a running .NET process with its own diagnostics socket (see
    /// <see cref="ProcessProbe"/>) that answers within <see cref="DiagnosticsChannel.AnswerTimeout"/>.
    /// </summary>
    public static void EnsureDotNetProcess(int processId, CancellationToken cancellationToken = default) =>
        DiagnosticsChannel.Check(ProcessProbe.Require(processId), cancellationToken);

    /// <summary>What is known of a process; a stopped one is described from /proc alone (its runtime cannot answer).</summary>
    public static GcProcess Describe(int processId) => Describe(ProcessProbe.Probe(processId));

    public static GcProcess Describe(ProcessProbeResult probe)
    {
        int processId = probe.ProcessId;
        string? name = probe.State == ProcessProbeState.Missing ? null : ProcessProbe.ProcessName(processId);
        if (name is null)
        {
            throw new ProcessNotFoundException(processId);
        }

        _ = TryRuntimeModulePath(processId, out string? runtimePath);
        GcModeInfo mode = new GcSettingReader().ReadConfiguredMode(processId, useChannel: !probe.IsStopped);
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

    /// <summary>
    /// Where the process loaded libcoreclr.so / coreclr.dll from (its folder name is the runtime version), read from
    /// /proc/&lt;pid&gt;/maps on Linux. False when the module list cannot be read (or is empty), so that a runtime missing from
    /// it is not known to be missing; true with a null path when it was read and maps no runtime.
    /// </summary>
    internal static bool TryRuntimeModulePath(int processId, out string? path)
    {
        path = null;
        try
        {
            if (OperatingSystem.IsLinux())
            {
                bool read = false;
                foreach (string line in File.ReadLines($"/proc/{processId}/maps"))
                {
                    read = true;
                    int slash = line.IndexOf('/');
                    if (slash > 0 && line.EndsWith("/" + DacLocator.RuntimeFileName, StringComparison.Ordinal))
                    {
                        path = line[slash..];
                        return true;
                    }
                }

                return read;
            }

            using var p = Process.GetProcessById(processId);
            foreach (ProcessModule m in p.Modules)
            {
                if (string.Equals(m.ModuleName, DacLocator.RuntimeFileName, StringComparison.OrdinalIgnoreCase))
                {
                    path = m.FileName;
                    return true;
                }
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
