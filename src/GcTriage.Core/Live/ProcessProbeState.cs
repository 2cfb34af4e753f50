namespace GcTriage.Core;

/// <summary>What a probe of a process id found, in the order the checks run.</summary>
public enum ProcessProbeState
{
    /// <summary>No such process (or a zombie: it has exited and waits to be reaped).</summary>
    Missing,
    /// <summary>Running, with a diagnostics socket whose key is its start time.</summary>
    Ready,
    /// <summary>Stopped (SIGSTOP, ptrace, job control): its runtime cannot answer until continued.</summary>
    Stopped,
    /// <summary>
    /// No diagnostics socket of this process: not .NET (a socket left under its pid by an earlier process is ignored), diagnostics
    /// disabled, or a socket folder we cannot see.
    /// </summary>
    NoChannel,
    /// <summary>A .NET process (or one whose memory map cannot be read) where the socket the client would pick has a key other than its start time.</summary>
    WrongKey,
}
