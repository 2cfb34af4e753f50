using System.Net.Sockets;
using GcTriage.Core;
using Xunit;

namespace GcTriage.Core.Tests;

/// <summary>
/// The EventPipe stream taken over from NETCore.Client's socket (Linux): bytes arrive in order, the peer's close ends it, and
/// Dispose from another thread wakes a read that is blocked waiting for data (what stopping a stuck session relies on).
/// The sockets here are connected the way NETCore.Client connects (an async connect, so .NET has registered the socket with
/// its epoll thread), over a Unix socket in a temp folder.
/// </summary>
public sealed class RawSocketStreamTests
{
    private static (Socket Server, NetworkStream Client, TempDirectory Temp) Connect()
    {
        var temp = new TempDirectory();
        var endPoint = new UnixDomainSocketEndPoint(temp.File("s"));
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(endPoint);
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Task connect = client.ConnectAsync(endPoint);
        Socket server = listener.Accept();
        connect.Wait(TimeSpan.FromSeconds(10));
        listener.Dispose();
        return (server, new NetworkStream(client, ownsSocket: true), temp);
    }

    [Fact]
    public void TakesOverAUnixSocketAndReadsWhatThePeerWritesUntilItCloses()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the take-over is Linux only
        }

        var (server, client, temp) = Connect();
        using (temp)
        using (server)
        {
            using Stream raw = RawSocketStream.Detach(client);
            RawSocketStream taken = Assert.IsType<RawSocketStream>(raw);
            Assert.Throws<ObjectDisposedException>(() => client.Socket.Available); // the managed socket is gone

            byte[] sent = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
            var writer = new Thread(() =>
            {
                server.Send(sent);
                server.Shutdown(SocketShutdown.Send);
            });
            writer.Start();

            using var received = new MemoryStream();
            raw.CopyTo(received, 4096);
            Assert.True(writer.Join(TimeSpan.FromSeconds(10)));
            Assert.Equal(sent, received.ToArray());
            Assert.Equal(sent.Length, taken.BytesRead);
            Assert.Equal(0, raw.Read(new byte[16])); // end of stream stays the end
        }
    }

    [Fact]
    public void DisposeFromAnotherThreadWakesABlockedRead()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the take-over is Linux only
        }

        var (server, client, temp) = Connect();
        using (temp)
        using (server)
        {
            Stream raw = RawSocketStream.Detach(client);
            int result = -1;
            var reader = new Thread(() => result = raw.Read(new byte[64])); // nothing is ever sent: blocks in read(2)
            reader.Start();
            Assert.False(reader.Join(TimeSpan.FromMilliseconds(300)));

            raw.Dispose();
            Assert.True(reader.Join(TimeSpan.FromSeconds(5)), "the blocked read did not return after Dispose");
            Assert.Equal(0, result);
            Assert.Equal(0, raw.Read(new byte[8]));
        }
    }

    [Fact]
    public async Task LeavesNoEpollRegistrationBehind()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the take-over is Linux only
        }

        var (server, client, temp) = Connect();
        using (temp)
        using (server)
        {
            // A read that has to wait registers the socket with .NET's epoll thread, as NETCore.Client's own reads do.
            var one = new byte[1];
            ValueTask<int> pending = client.ReadAsync(one);
            Assert.False(pending.IsCompleted);
            server.Send(new byte[] { 42 });
            Assert.Equal(1, await pending);
            long inode = SocketInode((int)client.Socket.SafeHandle.DangerousGetHandle());
            Assert.Contains(inode, EpollWatchedInodes());

            using Stream raw = RawSocketStream.Detach(client);
            Assert.IsType<RawSocketStream>(raw);
            // Our dup keeps the socket open, so closing the managed socket alone would have left it registered, and .NET's epoll
            // thread waking on every write of the runtime.
            Assert.DoesNotContain(inode, EpollWatchedInodes());
            server.Send(new byte[] { 7 });
            Assert.Equal(1, raw.Read(one));
            Assert.Equal(7, one[0]);
        }
    }

    /// <summary>The inode of a socket descriptor, from its /proc/self/fd link ("socket:[12345]").</summary>
    private static long SocketInode(int fd)
    {
        string link = new FileInfo($"/proc/self/fd/{fd}").LinkTarget!;
        Assert.StartsWith("socket:[", link);
        return long.Parse(link["socket:[".Length..^1]);
    }

    /// <summary>The inodes of every file an epoll instance of this process watches (its fdinfo "tfd:" lines, ino in hex).</summary>
    private static HashSet<long> EpollWatchedInodes()
    {
        var inodes = new HashSet<long>();
        foreach (string entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string info;
            try
            {
                if (new FileInfo(entry).LinkTarget != "anon_inode:[eventpoll]")
                {
                    continue;
                }

                info = File.ReadAllText($"/proc/self/fdinfo/{Path.GetFileName(entry)}");
            }
            catch (IOException)
            {
                continue; // closed meanwhile (other tests run in parallel)
            }

            foreach (string line in info.Split('\n'))
            {
                int at = line.IndexOf(" ino:", StringComparison.Ordinal);
                if (line.StartsWith("tfd:", StringComparison.Ordinal) && at > 0)
                {
                    string hex = line[(at + 5)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    inodes.Add(Convert.ToInt64(hex, 16));
                }
            }
        }

        return inodes;
    }

    [Fact]
    public void LeavesAnyOtherStreamAsItIs()
    {
        using var memory = new MemoryStream(new byte[] { 1, 2, 3 });
        Assert.Same(memory, RawSocketStream.Detach(memory));
    }
}
