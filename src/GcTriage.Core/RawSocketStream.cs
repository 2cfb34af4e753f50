using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GcTriage.Core;

/// <summary>
/// An EventPipe session's stream read with plain blocking read(2) calls on the listener's own thread.
/// <para>
/// Why: on Linux, NETCore.Client's session stream is a NetworkStream over a socket that .NET's socket engine has
/// registered with its epoll thread. Every time the runtime writes to it (dozens of times a second on a busy target) the epoll
/// thread queues a work item to the thread pool, and the pool worker that takes it spins (sched_yield) before it sleeps again.
/// Measured on 2 cores with a target at ~4,000 GCs/s: pool workers spinning were 60% of the listener's CPU samples (perf), about
/// 0.3 of a core. Here the listener dups the socket's descriptor, clears O_NONBLOCK on it and closes the managed socket, so no
/// pool thread is involved: the reading thread sleeps in the kernel until data arrives.
/// </para>
/// <para>
/// Dispose (from any thread) shuts the socket down first, which wakes a read blocked on it (closing alone would not on Linux);
/// the descriptor is closed once no read is using it. Anything else (Windows named pipes, another stream type) is left as it is.
/// </para>
/// </summary>
internal sealed class RawSocketStream : ForwardOnlyStream
{
    private readonly FdHandle _fd;
    private int _shut;

    private RawSocketStream(FdHandle fd) => _fd = fd;

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>
    /// Takes over the socket under <paramref name="eventStream"/> when it is a Unix socket; otherwise returns the stream itself.
    /// </summary>
    public static Stream Detach(Stream eventStream)
    {
        // Linux only: fcntl is variadic, which a P/Invoke passes correctly on Linux x64 and arm64 but not on Apple arm64.
        const int nonBlock = 0x800; // O_NONBLOCK
        if (!OperatingSystem.IsLinux() || eventStream is not NetworkStream network)
        {
            return eventStream;
        }

        try
        {
            Socket socket = network.Socket;
            if (socket.AddressFamily != AddressFamily.Unix)
            {
                return eventStream;
            }

            int fd = Native.dup((int)socket.SafeHandle.DangerousGetHandle());
            if (fd < 0)
            {
                return eventStream;
            }

            var handle = new FdHandle(fd);
            int flags = Native.fcntl(fd, Native.F_GETFL, 0);
            if (flags < 0 || Native.fcntl(fd, Native.F_SETFL, flags & ~nonBlock) < 0)
            {
                handle.Dispose();
                return eventStream;
            }

            // The managed socket goes. Its epoll registration would not: epoll drops a registration only when every descriptor of
            // the socket is closed, and our dup keeps one open, so .NET's socket thread would still wake on each write of the
            // runtime (~200 times a second at ~4,000 GCs/s) to find nothing to dispatch. Remove it first.
            RemoveEpollRegistrations((int)socket.SafeHandle.DangerousGetHandle());
            socket.Dispose();
            return new RawSocketStream(handle);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException or DllNotFoundException or EntryPointNotFoundException)
        {
            return eventStream;
        }
    }

    /// <summary>
    /// Removes <paramref name="fd"/> from every epoll instance of this process that watches it (.NET's socket engine registers
    /// a socket with its own epoll instance on its first asynchronous operation). The instances are found in /proc/self/fdinfo,
    /// whose "tfd:" lines name the descriptors each one watches. Best effort: anything unexpected leaves the registration alone.
    /// </summary>
    private static unsafe void RemoveEpollRegistrations(int fd)
    {
        try
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                if (!int.TryParse(Path.GetFileName(entry), out int epfd) || epfd == fd)
                {
                    continue;
                }

                string? target;
                try
                {
                    target = new FileInfo(entry).LinkTarget;
                }
                catch (IOException)
                {
                    continue; // closed meanwhile
                }

                if (target != "anon_inode:[eventpoll]" || !WatchesDescriptor(epfd, fd))
                {
                    continue;
                }

                EpollEvent ignored = default; // kernels before 2.6.9 want a non-null event even for EPOLL_CTL_DEL
                _ = Native.epoll_ctl(epfd, Native.EPOLL_CTL_DEL, fd, &ignored);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    private static bool WatchesDescriptor(int epfd, int fd)
    {
        string info;
        try
        {
            info = File.ReadAllText($"/proc/self/fdinfo/{epfd}");
        }
        catch (IOException)
        {
            return false;
        }

        foreach (string line in info.Split('\n'))
        {
            // "tfd:       42 events:       19 data: 2a  pos:0 ino:1234 sdev:8"
            if (line.StartsWith("tfd:", StringComparison.Ordinal))
            {
                ReadOnlySpan<char> rest = line.AsSpan(4).TrimStart();
                int end = rest.IndexOf(' ');
                if (int.TryParse(end < 0 ? rest : rest[..end], out int watched) && watched == fd)
                {
                    return true;
                }
            }
        }

        return false;
    }

    public override unsafe int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0 || Volatile.Read(ref _shut) != 0)
        {
            return 0;
        }

        bool added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
            int fd = (int)_fd.DangerousGetHandle();
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    nint n = Native.read(fd, p, (nuint)buffer.Length);
                    if (n >= 0)
                    {
                        BytesRead += n;
                        return (int)n;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Native.EINTR)
                    {
                        continue;
                    }

                    if (Volatile.Read(ref _shut) != 0)
                    {
                        return 0;
                    }

                    // ECONNRESET when the target dies: the same as the NetworkStream it replaces would report.
                    throw new IOException($"Reading the EventPipe stream failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (added)
            {
                _fd.DangerousRelease();
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _shut, 1) == 0)
        {
            bool added = false;
            try
            {
                _fd.DangerousAddRef(ref added);
                _ = Native.shutdown((int)_fd.DangerousGetHandle(), Native.SHUT_RDWR);
            }
            catch (ObjectDisposedException)
            {
            }
            finally
            {
                if (added)
                {
                    _fd.DangerousRelease();
                }
            }

            _fd.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class FdHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public FdHandle(int fd)
            : base(ownsHandle: true) => SetHandle(fd);

        protected override bool ReleaseHandle() => Native.close((int)handle) == 0;
    }

    private static class Native
    {
        public const int F_GETFL = 3;
        public const int F_SETFL = 4;
        public const int EINTR = 4;
        public const int SHUT_RDWR = 2;

        [DllImport("libc", SetLastError = true)]
        public static extern int dup(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int fcntl(int fd, int cmd, int arg);

        [DllImport("libc", SetLastError = true)]
        public static extern unsafe nint read(int fd, byte* buffer, nuint count);

        [DllImport("libc", SetLastError = true)]
        public static extern int shutdown(int fd, int how);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);

        public const int EPOLL_CTL_DEL = 2;

        [DllImport("libc", SetLastError = true)]
        public static extern unsafe int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);
    }

    /// <summary>struct epoll_event: packed to 12 bytes on x86-64, 16 (naturally aligned) elsewhere; only its address is passed here.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct EpollEvent
    {
        public uint Events;
        public uint Pad;
        public ulong Data;
    }
}
