using System.Net;
using System.Net.Sockets;
using Microsoft.Diagnostics.NETCore.Client;

namespace GcTriage.Core;

/// <summary>
/// The one way a live command reaches a process's runtime: probe the process (exists, not stopped, its own socket), then ask
/// the socket a ProcessInfo question with a deadline before anything else is sent, then make each call with a deadline.
/// <para>
/// Why the question first: NETCore.Client's synchronous calls read their answer with no time limit, and a Unix socket accepts
/// a connection on the listener's behalf (its backlog) even when nobody will ever answer: a stopped runtime, a hung one, or a
/// socket someone else put there. The question goes over a socket of our own, blocking with timeouts, on the caller's thread:
/// no thread-pool thread is involved, so a host whose pool is starved still gets its answer or its error in time.
/// </para>
/// </summary>
public static class DiagnosticsChannel
{
    /// <summary>How long a runtime gets to answer a short request (the ProcessInfo question, a session start, the environment).</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a channel that failed is given to show that its process is exiting, before it is called not .NET.</summary>
    internal static readonly TimeSpan ExitGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>Probes <paramref name="processId"/>, checks its socket answers, and returns a client for it.</summary>
    public static DiagnosticsClient Open(int processId, CancellationToken cancellationToken = default)
    {
        Check(ProcessProbe.Require(processId), cancellationToken);
        return new DiagnosticsClient(processId);
    }

    private static DiagnosticsClient OpenProbed(int processId)
    {
        ProcessProbe.Require(processId);
        return new DiagnosticsClient(processId);
    }

    /// <summary>Asks the probed process's own socket the ProcessInfo question (a bounded wait); throws when it does not answer.</summary>
    public static void Check(ProcessProbeResult probe, CancellationToken cancellationToken = default)
    {
        if (probe.SocketPath is not null)
        {
            Ping(probe.ProcessId, probe.SocketPath, AnswerTimeout, cancellationToken);
        }
    }

    /// <summary>
    /// Runs one call of NETCore.Client on a thread of its own and waits for it at most <paramref name="timeout"/> (or until
    /// cancellation). A call that outlives the wait is left to end by itself (its socket closes when the runtime answers or its
    /// process ends); the caller gets DiagnosticsTimeoutException naming <paramref name="waitedFor"/>. Failures of the channel are
    /// mapped: the process gone gives TargetProcessExited, a stopped one ProcessStopped.
    /// </summary>
    public static T Call<T>(int processId, string waitedFor, Func<DiagnosticsClient, T> call, CancellationToken cancellationToken, TimeSpan? timeout = null, bool ask = true)
    {
        // ask: false skips the ProcessInfo question for a channel that answered it moments ago (a duty-cycled sampler's next
        // period); the probe and the call's own deadline still apply.
        DiagnosticsClient client = ask ? Open(processId, cancellationToken) : OpenProbed(processId);
        Task<T> task = DedicatedTask.Run(() => call(client));
        TimeSpan limit = timeout ?? AnswerTimeout;
        bool answered = false;
        try
        {
            if (!task.Wait(limit, cancellationToken))
            {
                throw ProcessProbe.IsStopped(processId) ? new ProcessStoppedException(processId, null) : new DiagnosticsTimeoutException(processId, waitedFor, limit);
            }

            answered = true;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            throw MapFailure(processId, waitedFor, e.InnerException!);
        }
        finally
        {
            if (!answered)
            {
                // Left on timeout or Ctrl+C: observed (never rethrown on the finalizer); a result that arrives late (a session, a
                // stream) is closed.
                _ = task.ContinueWith(
                    t =>
                    {
                        if (t.IsFaulted)
                        {
                            _ = t.Exception;
                        }
                        else if (t.IsCompletedSuccessfully && t.Result is IDisposable late)
                        {
                            late.Dispose();
                        }
                    },
                    CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }

        return task.Result;
    }

    /// <summary>The error for a call that failed on the channel: gone, stopped, not .NET after all, or the runtime's refusal.</summary>
    public static Exception MapFailure(int processId, string what, Exception e)
    {
        if (e is GcTriageException or OperationCanceledException)
        {
            return e;
        }

        if (!ProcessProbe.Exists(processId))
        {
            return new TargetProcessExitedException(processId, e);
        }

        if (e is not ServerErrorException && ProcessProbe.ExitsWithin(processId, ExitGrace))
        {
            return new TargetProcessExitedException(processId, e);
        }

        if (ProcessProbe.IsStopped(processId))
        {
            return new ProcessStoppedException(processId, null);
        }

        return e switch
        {
            ServerErrorException => new EventPipeSessionException(processId, $"{what}: {e.Message}", e),
            ServerNotAvailableException or EndOfStreamException or IOException or SocketException or TimeoutException or UnauthorizedAccessException
                => new NotDotNetProcessException(processId, ProcessProbe.ProcessName(processId)),
            _ => new EventPipeSessionException(processId, $"{what}: {e.GetType().Name}: {e.Message}", e),
        };
    }

    /// <summary>
    /// Sends the IPC protocol's ProcessInfo request (command set 0x04, command 0x00) over <paramref name="socketPath"/> and waits
    /// at most <paramref name="timeout"/> for the 20-byte answer header with the protocol's magic. Connect, send and receive are
    /// each bounded; nothing is left open.
    /// </summary>
    internal static void Ping(int processId, string socketPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        const string waitedFor = "the answer to a ProcessInfo request on its diagnostics socket";
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            ConnectBefore(socket, new UnixDomainSocketEndPoint(socketPath), deadline, processId, timeout, cancellationToken);
            Span<byte> request = stackalloc byte[20];
            IpcMagic.CopyTo(request);
            request[14] = 20; // size, little-endian u16: the header alone
            request[15] = 0;
            request[16] = 0x04; // command set: Process
            request[17] = 0x00; // command: ProcessInfo
            socket.Blocking = true;
            socket.SendTimeout = Remaining(deadline, processId, waitedFor, timeout, cancellationToken);
            socket.Send(request);

            Span<byte> answer = stackalloc byte[20];
            int got = 0;
            while (got < answer.Length)
            {
                // Short slices so that cancellation (Ctrl+C) is seen within a fraction of a second.
                socket.ReceiveTimeout = Math.Min(250, Remaining(deadline, processId, waitedFor, timeout, cancellationToken));
                int n;
                try
                {
                    n = socket.Receive(answer[got..]);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
                {
                    continue;
                }

                if (n == 0)
                {
                    throw new EndOfStreamException("the diagnostics socket closed the connection before answering");
                }

                got += n;
            }

            if (!answer[..14].SequenceEqual(IpcMagic))
            {
                throw new NotDotNetProcessException(processId, ProcessProbe.ProcessName(processId));
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            // The file is there but nobody listens on it: a runtime that closed its server, or a process that is exiting.
            throw ProcessProbe.ExitsWithin(processId, ExitGrace) ? new TargetProcessExitedException(processId, e) : new NotDotNetProcessException(processId, ProcessProbe.ProcessName(processId));
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException)
        {
            throw MapFailure(processId, waitedFor, e);
        }
    }

    private static ReadOnlySpan<byte> IpcMagic => "DOTNET_IPC_V1\0"u8;

    /// <summary>A non-blocking connect polled until the deadline: a listener whose backlog is full makes a blocking connect wait.</summary>
    private static void ConnectBefore(Socket socket, EndPoint endPoint, long deadline, int processId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        socket.Blocking = false;
        while (true)
        {
            try
            {
                socket.Connect(endPoint);
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.TryAgain or SocketError.AlreadyInProgress)
            {
                if (socket.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectWrite) && socket.Connected)
                {
                    return;
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.IsConnected)
            {
                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (Environment.TickCount64 >= deadline)
            {
                throw new DiagnosticsTimeoutException(processId, "a connection to its diagnostics socket (the listener's backlog is full)", timeout);
            }
        }
    }

    private static int Remaining(long deadline, int processId, string waitedFor, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long left = deadline - Environment.TickCount64;
        if (left <= 0)
        {
            throw ProcessProbe.IsStopped(processId) ? new ProcessStoppedException(processId, null) : new DiagnosticsTimeoutException(processId, waitedFor, timeout);
        }

        return (int)left;
    }
}
