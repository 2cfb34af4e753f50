namespace GcTriage.Core;

/// <summary>One look at a process: does it exist, is it stopped, which diagnostics socket is its own.</summary>
public sealed class ProcessProbeResult
{
    public int ProcessId { get; init; }
    public ProcessProbeState State { get; init; }
    public string? Name { get; init; }
    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat, the key in the runtime's socket name (Linux).</summary>
    public string? StartTimeKey { get; init; }
    /// <summary>The process's own diagnostics socket (Linux), null elsewhere or when it has none.</summary>
    public string? SocketPath { get; init; }
    /// <summary>With WrongKey: the socket that was refused; with NoChannel: a socket under the pid of a process that maps no runtime, ignored.</summary>
    public string? RefusedSocketPath { get; init; }
    /// <summary>True when the process is stopped; State says Stopped only when the channel itself is right.</summary>
    public bool IsStopped { get; init; }
    /// <summary>Effective user and group ids (Linux, from /proc/&lt;pid&gt;/status); null when unknown.</summary>
    public uint? UserId { get; init; }
    public uint? GroupId { get; init; }

    /// <summary>Throws the error that matches State; returns for Ready.</summary>
    public void ThrowUnlessReady()
    {
        switch (State)
        {
            case ProcessProbeState.Ready:
                return;
            case ProcessProbeState.Missing:
                throw new ProcessNotFoundException(ProcessId);
            case ProcessProbeState.Stopped:
                throw new ProcessStoppedException(ProcessId, Name);
            case ProcessProbeState.WrongKey:
                throw new DiagnosticsSocketMismatchException(ProcessId, RefusedSocketPath!, StartTimeKey ?? "?");
            default:
                throw new NotDotNetProcessException(ProcessId, Name);
        }
    }
}
