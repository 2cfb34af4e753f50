using System.Diagnostics;

namespace Acme.IncidentService;

/// <summary>
/// The classic GC incident, in miniature: a static Dictionary&lt;long,bool&gt; used as a set of "seen" ids grows without bound
/// (it is never trimmed), while request handling allocates short-lived buffers. Every gen2 GC must mark the whole set, so
/// gen2 pauses grow with it. Prints "READY &lt;pid&gt;" at start and a line per second; stops on "exit" or after --seconds.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        int seconds = args.Length > 1 && args[0] == "--seconds" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 600;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var worker = new Thread(() => Serve(stop.Token)) { IsBackground = true, Name = "requests" };
        worker.Start();
        Console.WriteLine($"READY {Environment.ProcessId}");
        var stdin = new Thread(() =>
        {
            string? line;
            while ((line = Console.ReadLine()) is not null && line.Trim() != "exit")
            {
            }

            stop.Cancel();
        }) { IsBackground = true };
        stdin.Start();

        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            stop.Token.WaitHandle.WaitOne(1000);
            Console.WriteLine($"t={clock.Elapsed.TotalSeconds:0}s seen={SeenIds.Count:N0} gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)} heap={GC.GetTotalMemory(false) / 1024 / 1024} MB");
        }

        worker.Join(2000);
        return 0;
    }

    private static void Serve(CancellationToken token)
    {
        var random = new Random(42);
        long requests = 0;
        while (!token.IsCancellationRequested)
        {
            // Each request: a short-lived buffer, and an id remembered "to deduplicate" - forever.
            byte[] buffer = new byte[random.Next(512, 8192)];
            buffer[0] = (byte)requests;
            SeenIds.Remember(random.NextInt64(0, 50_000_000));
            if (++requests % 200_000 == 0)
            {
                // A periodic "report" that forces a full collection, as some services do on a timer.
                GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            }
        }
    }
}

/// <summary>The leak: ids are added and never removed. A HashSet&lt;long&gt; or a bitset would do the same job in a fraction of the memory.</summary>
public static class SeenIds
{
    private static readonly Dictionary<long, bool> s_seen = new();

    public static int Count
    {
        get
        {
            lock (s_seen)
            {
                return s_seen.Count;
            }
        }
    }

    public static void Remember(long id)
    {
        lock (s_seen)
        {
            s_seen[id] = true;
        }
    }
}
