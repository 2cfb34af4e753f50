using System.Diagnostics;
using System.Globalization;

namespace GcTriage.Core;

/// <summary>
/// The one answer to "does this process exist, is it stopped, is it .NET, is its diagnostics socket its own". Every live
/// command asks here before it connects. On Linux it reads /proc/&lt;pid&gt;/stat (state, start time) and /proc/&lt;pid&gt;/status
/// (uid, gid), and looks for the runtime's socket dotnet-diagnostic-&lt;pid&gt;-&lt;start time&gt;-socket in the folders NETCore.Client
/// may search (our temp folder and the target's TMPDIR). In each such folder the client connects to the newest socket named
/// for the pid; that one must carry the process's start time, or the process is refused (a socket left by an earlier process
/// with a reused pid, or planted by someone who can write the folder, would otherwise be talked to as this process). A
/// process that maps no runtime is NoChannel whatever sockets carry its pid (RefusedSocketPath names the one ignored).
/// Elsewhere (Windows, macOS) the probe checks existence only.
/// </summary>
public static class ProcessProbe
{
    public static ProcessProbeResult Probe(int processId)
    {
        string? name = ProcessName(processId);
        if (!OperatingSystem.IsLinux())
        {
            return new ProcessProbeResult
            {
                ProcessId = processId,
                Name = name,
                State = name is null ? ProcessProbeState.Missing : ProcessProbeState.Ready,
            };
        }

        if (!TryReadStat(processId, out char state, out string startTime) || name is null)
        {
            return new ProcessProbeResult { ProcessId = processId, Name = name, State = ProcessProbeState.Missing };
        }

        (uint? uid, uint? gid) = ReadIds(processId);
        bool stopped = state is 'T' or 't';
        string? own = null;
        string? refused = null;
        foreach (string folder in SocketFolders(processId))
        {
            string[] sockets;
            try
            {
                sockets = Directory.GetFiles(folder, $"dotnet-diagnostic-{processId}-*-socket");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (sockets.Length == 0)
            {
                continue;
            }

            // The client's choice in this folder: the newest by write time.
            string newest = sockets.OrderByDescending(f => new FileInfo(f).LastWriteTimeUtc).First();
            if (Path.GetFileName(newest) == $"dotnet-diagnostic-{processId}-{startTime}-socket")
            {
                own ??= newest;
            }
            else
            {
                refused ??= newest;
            }
        }

        // A process that maps no runtime has no channel to mistake: a socket under its pid is a leftover of an earlier .NET
        // process that had the pid (killed before it could remove it) or a plant, and it is refused by being ignored.
        bool runtimeless = own is null && refused is not null && ProcessCatalog.TryRuntimeModulePath(processId, out string? runtime) && runtime is null;
        ProcessProbeState result = runtimeless ? ProcessProbeState.NoChannel
            : refused is not null ? ProcessProbeState.WrongKey
            : own is null ? ProcessProbeState.NoChannel
            : stopped ? ProcessProbeState.Stopped
            : ProcessProbeState.Ready;
        return new ProcessProbeResult
        {
            ProcessId = processId,
            Name = name,
            State = result,
            StartTimeKey = startTime,
            SocketPath = own,
            RefusedSocketPath = refused,
            IsStopped = stopped,
            UserId = uid,
            GroupId = gid,
        };
    }

    /// <summary>Probes and throws ProcessNotFound, ProcessStopped, DiagnosticsSocketMismatch or NotDotNetProcess unless Ready.</summary>
    public static ProcessProbeResult Require(int processId)
    {
        ProcessProbeResult probe = Probe(processId);
        probe.ThrowUnlessReady();
        return probe;
    }

    /// <summary>True while the process exists and has not exited (a zombie counts as gone).</summary>
    public static bool Exists(int processId)
    {
        if (OperatingSystem.IsLinux())
        {
            return TryReadStat(processId, out _, out _);
        }

        return ProcessName(processId) is not null;
    }

    /// <summary>
    /// True when the process is gone now or within <paramref name="grace"/>: a killed process closes its sockets (connections are
    /// refused, reads end) a moment before it leaves the process table, and that moment is an exit, not a process without .NET.
    /// </summary>
    public static bool ExitsWithin(int processId, TimeSpan grace)
    {
        long deadline = Environment.TickCount64 + (long)grace.TotalMilliseconds;
        while (Exists(processId))
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }

    /// <summary>True when the process is stopped (Linux; false elsewhere or when it is gone).</summary>
    public static bool IsStopped(int processId) =>
        OperatingSystem.IsLinux() && TryReadStat(processId, out char state, out _) && state is 'T' or 't';

    internal static string? ProcessName(int processId)
    {
        try
        {
            using var p = Process.GetProcessById(processId);
            return p.HasExited ? null : p.ProcessName;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>State (field 3) and start time (field 22) of /proc/&lt;pid&gt;/stat; false when the process is gone or a zombie.</summary>
    private static bool TryReadStat(int processId, out char state, out string startTime)
    {
        state = '\0';
        startTime = "";
        try
        {
            string stat = File.ReadAllText($"/proc/{processId}/stat");
            // Fields after the command name, which is in parentheses and may itself hold spaces or parentheses.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            state = fields[0][0];
            startTime = fields[19]; // field 22 of the whole line; fields[0] here is field 3
            return state is not ('Z' or 'X' or 'x');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Effective uid and gid from the Uid:/Gid: lines of /proc/&lt;pid&gt;/status (real, effective, saved, fs).</summary>
    private static (uint? Uid, uint? Gid) ReadIds(int processId)
    {
        uint? uid = null;
        uint? gid = null;
        try
        {
            foreach (string line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    uid = EffectiveId(line);
                }
                else if (line.StartsWith("Gid:", StringComparison.Ordinal))
                {
                    gid = EffectiveId(line);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return (uid, gid);

        static uint? EffectiveId(string line)
        {
            string[] parts = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 2 && uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? id : null;
        }
    }

    /// <summary>Our temp folder, and the target's TMPDIR when its environment can be read (the runtime puts its socket there).</summary>
    private static IEnumerable<string> SocketFolders(int processId)
    {
        string ours = Path.GetTempPath();
        yield return ours;
        string? theirs = null;
        try
        {
            foreach (string entry in File.ReadAllText($"/proc/{processId}/environ").Split('\0'))
            {
                if (entry.StartsWith("TMPDIR=", StringComparison.Ordinal) && entry.Length > 7)
                {
                    theirs = entry[7..];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        if (theirs is not null && Path.IsPathFullyQualified(theirs)
            && !string.Equals(Path.TrimEndingDirectorySeparator(theirs), Path.TrimEndingDirectorySeparator(ours), StringComparison.Ordinal))
        {
            yield return theirs;
        }
    }
}
