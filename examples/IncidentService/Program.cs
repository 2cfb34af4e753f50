using System.Diagnostics;
using System.Globalization;

namespace Acme.IncidentService;

/// <summary>
/// A GC incident, in miniature. The service keeps two things that only grow:
/// - SessionCache: a Dictionary&lt;long, Session&gt; of a million small, reference-rich session objects (a user name, a history of
///   recent requests linked to each other). They have long been promoted to gen2, and every request writes a fresh
///   RequestRecord into one of them. Each such write leaves an old-to-young reference that every gen0/gen1 GC must find through
///   the card table and trace, and each fresh record survives, because the old session holds it. A full blocking GC must mark
///   all of the millions of objects and follow every reference between them.
/// - SeenIds: a Dictionary&lt;long,bool&gt; used as a set of "seen" ids, the largest object on the heap. Its entries hold no
///   references, so the GC marks it as one object without looking inside, and writes into it leave no card: it wastes memory,
///   but it is not what makes the pauses long.
/// At start the service builds the state it would have after days of traffic (--sessions sessions, --seen ids), then prints
/// "READY &lt;pid&gt;" and a line per second while it serves requests; it stops on "exit" or after --seconds.
/// </summary>
public static class Program
{
    private static readonly string[] s_paths = { "/api/cart", "/api/orders", "/api/profile", "/api/search", "/api/checkout", "/health" };

    public static int Main(string[] args)
    {
        int seconds = Option(args, "--seconds", 600);
        int sessions = Option(args, "--sessions", 1_000_000);
        int seen = Option(args, "--seen", 9_000_000);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var random = new Random(42);
        WarmUp(random, sessions, seen);

        var worker = new Thread(() => Serve(random, sessions, stop.Token)) { IsBackground = true, Name = "requests" };
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
            Console.WriteLine($"t={clock.Elapsed.TotalSeconds:0}s sessions={SessionCache.Count:N0} seen={SeenIds.Count:N0} gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)} "
                + $"heap={GC.GetTotalMemory(false) / 1024 / 1024} MB paused={GC.GetTotalPauseDuration().TotalMilliseconds:0} ms");
        }

        worker.Join(2000);
        return 0;
    }

    /// <summary>The state after days of traffic: every known user has a session with a full history, and many ids were seen.</summary>
    private static void WarmUp(Random random, int sessions, int seen)
    {
        long now = Stopwatch.GetTimestamp();
        for (long id = 0; id < sessions; id++)
        {
            Session session = SessionCache.GetOrAdd(id, now);
            for (int i = 0; i < Session.HistoryLength; i++)
            {
                session.Record(now, s_paths[random.Next(s_paths.Length)], 200);
            }
        }

        for (int i = 0; i < seen; i++)
        {
            SeenIds.Remember(random.NextInt64(0, 50_000_000));
        }
    }

    private static void Serve(Random random, int sessions, CancellationToken token)
    {
        // INCIDENT_READ_ONLY=1: the same requests only read the sessions (the control case of bench/Incident.Bench.ps1).
        bool readOnly = Environment.GetEnvironmentVariable("INCIDENT_READ_ONLY") == "1";
        long requests = 0;
        while (!token.IsCancellationRequested)
        {
            // Each request: the user's session records it (a fresh object written into an old one), one user in fifty signs in
            // again (a fresh session replaces the old one), the response is a short-lived buffer, and one request in four brings an
            // id that is remembered forever.
            long now = Stopwatch.GetTimestamp();
            long id = random.NextInt64(0, sessions);
            Session session = ++requests % 50 == 0 && !readOnly ? SessionCache.Renew(id, now) : SessionCache.GetOrAdd(id, now);
            if (!readOnly)
            {
                session.Record(now, s_paths[random.Next(s_paths.Length)], 200);
            }

            byte[] body = new byte[random.Next(64, 512)];
            body[0] = (byte)requests;
            if (requests % 4 == 0)
            {
                SeenIds.Remember(random.NextInt64(0, 50_000_000));
            }
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
