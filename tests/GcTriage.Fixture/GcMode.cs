using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GcTriage.Fixture;

/// <summary>
/// GC activity on command, for the pause tests. Prints "READY &lt;pid&gt;", then reads stdin lines:
///   gen0 N | gen1 N | gen2 N   exactly N blocking GC.Collect of that generation (gen2 compacting, over fresh garbage); prints "DONE"
///   bgc                        grows a live set until the runtime has run a background gen2 by itself; "DONE ..." like genN
///   alloc                      starts allocating short-lived buffers steadily on a background thread; prints "ALLOCATING"
///   stop                       stops "alloc"; prints "STOPPED"
///   longgen2 [MB]              builds (once) a live graph of small objects (default 300 MB) and runs one blocking gen2 over it; "DONE"
///   graph MB                   builds the live graph longgen2 uses (so that building it is not watched); prints "DONE"
///   tick MS COMMAND...         runs COMMAND every MS milliseconds on a background thread until "stop" (or exit), silently
///   ticklater DELAY MS COMMAND... the same, starting after DELAY milliseconds; both print "TICKING" at once
///   dieafter MS                exits with code 3 after MS milliseconds (a target that exits mid-session)
///   exit                       ends the process (exit code 0)
///   die                        ends the process at once with exit code 3 (a target that exits mid-session)
/// </summary>
public static class GcMode
{
    private static volatile bool s_allocating;
    private static volatile bool s_ticking;
    private static object? s_sink;
    private static List<Node[]>? s_graph;

    private static bool RanInBackground(GCMemoryInfo info, long before) => info.Index > before && info.Generation == 2 && info.Concurrent;

    public static int Run(string[] args)
    {
        Console.Out.WriteLine($"READY {Environment.ProcessId}");
        Console.Out.Flush();
        Thread? allocator = null;
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            string[] parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            switch (parts[0])
            {
                case "gen0":
                case "gen1":
                case "gen2":
                    int gen = parts[0][3] - '0';
                    int count = parts.Length > 1 ? int.Parse(parts[1]) : 1;
                    var before = Counts();
                    for (int i = 0; i < count; i++)
                    {
                        MakeGarbage(gen == 2 ? 4096 : 256);
                        GC.Collect(gen, GCCollectionMode.Forced, blocking: true, compacting: gen == 2);
                    }

                    SayDone(before);
                    break;
                case "bgc":
                    // Grow a live set until the runtime has run a background gen2 by itself. The first one a process starts can fall
                    // back to a blocking collection inside the suspension that started it; GCKind.Background then shows its index
                    // with generation 0, not concurrent, and no pauses. Wait for one that really ran in the background; "DONE"
                    // counts every gen2 in between.
                    var beforeBgc = Counts();
                    long backgroundBefore = GC.GetGCMemoryInfo(GCKind.Background).Index;
                    var live = new List<byte[]>();
                    var deadline = Environment.TickCount64 + 20_000;
                    while (!RanInBackground(GC.GetGCMemoryInfo(GCKind.Background), backgroundBefore) && Environment.TickCount64 < deadline)
                    {
                        for (int i = 0; i < 1000; i++)
                        {
                            live.Add(new byte[1000]);
                        }
                    }

                    Thread.Sleep(500); // let the background GC finish its sweep
                    GC.KeepAlive(live);
                    SayDone(beforeBgc);
                    break;
                case "alloc":
                    if (allocator is null)
                    {
                        s_allocating = true;
                        allocator = new Thread(Allocate) { IsBackground = true, Name = "alloc" };
                        allocator.Start();
                    }

                    Say("ALLOCATING");
                    break;
                case "stop":
                    s_ticking = false;
                    s_allocating = false;
                    allocator?.Join();
                    allocator = null;
                    Say("STOPPED");
                    break;
                case "longgen2":
                    int mb = parts.Length > 1 ? int.Parse(parts[1]) : 300;
                    s_graph ??= BuildGraph(mb);
                    var beforeLong = Counts();
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    SayDone(beforeLong);
                    break;
                case "graph":
                    s_graph ??= BuildGraph(parts.Length > 1 ? int.Parse(parts[1]) : 300);
                    Say("DONE");
                    break;
                case "tick":
                case "ticklater":
                    // ticklater waits DELAY ms first: a listener can then start its session before back-to-back GCs begin
                    // (enabling GC events waits for a gap between GCs, and "tick 0" leaves none).
                    int delay = parts[0] == "ticklater" ? int.Parse(parts[1]) : 0;
                    string[] rest = parts[0] == "ticklater" ? parts[2..] : parts[1..];
                    int period = int.Parse(rest[0]);
                    string command = string.Join(' ', rest[1..]);
                    s_ticking = true;
                    new Thread(() =>
                    {
                        Thread.Sleep(delay);
                        while (s_ticking)
                        {
                            Thread.Sleep(period);
                            if (s_ticking)
                            {
                                Execute(command);
                            }
                        }
                    }) { IsBackground = true, Name = "tick" }.Start();
                    Say("TICKING");
                    break;
                case "dieafter":
                    int ms = int.Parse(parts[1]);
                    new Thread(() =>
                    {
                        Thread.Sleep(ms);
                        Environment.Exit(3);
                    }) { IsBackground = true }.Start();
                    Say("DYING");
                    break;
                case "exit":
                    s_allocating = false;
                    s_ticking = false;
                    return 0;
                case "die":
                    Environment.Exit(3);
                    break;
                default:
                    Say("UNKNOWN " + parts[0]);
                    break;
            }
        }

        return 0;
    }

    private static void Say(string text)
    {
        Console.Out.WriteLine(text);
        Console.Out.Flush();
    }

    /// <summary>
    /// The GC commands a tick can run: genN [count] and longgen2. It prints nothing: nobody waits for a tick's GCs, and lines
    /// nobody reads fill the stdout pipe, which blocks the tick and also createdump, which writes its progress to the same pipe
    /// (a capture then never ends).
    /// </summary>
    private static void Execute(string command)
    {
        string[] parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts[0] == "longgen2")
        {
            s_graph ??= BuildGraph(parts.Length > 1 ? int.Parse(parts[1]) : 300);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        else
        {
            int gen = parts[0][3] - '0';
            int count = parts.Length > 1 ? int.Parse(parts[1]) : 1;
            for (int i = 0; i < count; i++)
            {
                MakeGarbage(gen == 2 ? 4096 : 256);
                GC.Collect(gen, GCCollectionMode.Forced, blocking: true, compacting: gen == 2);
            }
        }
    }

    private static (int Gen0, int Gen1, int Gen2) Counts() => (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    /// <summary>
    /// "DONE first=F last=L gen0=A gen1=B gen2=C": the GC numbers (GCStart.Count) of the GCs this command caused, and how many
    /// condemned each generation, as the runtime itself counts them (it may escalate a requested gen0 to gen1).
    /// </summary>
    private static void SayDone((int Gen0, int Gen1, int Gen2) before)
    {
        var after = Counts();
        int all = after.Gen0 - before.Gen0, g1up = after.Gen1 - before.Gen1, g2 = after.Gen2 - before.Gen2;
        Say($"DONE first={before.Gen0 + 1} last={after.Gen0} gen0={all - g1up} gen1={g1up - g2} gen2={g2}");
    }

    private static void MakeGarbage(int count)
    {
        for (int i = 0; i < count; i++)
        {
            s_sink = new byte[1024];
        }

        s_sink = null;
    }

    private static void Allocate()
    {
        while (s_allocating)
        {
            for (int i = 0; i < 1000; i++)
            {
                s_sink = new byte[256];
            }

            Thread.Sleep(1);
        }
    }

    private sealed class Node
    {
        public Node? Next;
        public object? Payload;
    }

    /// <summary>About mb megabytes of small live objects that reference each other: a gen2 must mark and compact all of them.</summary>
    private static List<Node[]> BuildGraph(int mb)
    {
        var sw = Stopwatch.StartNew();
        var chunks = new List<Node[]>();
        long target = (long)mb << 20;
        long bytes = 0;
        Node? previous = null;
        while (bytes < target)
        {
            var chunk = new Node[10_000];
            for (int i = 0; i < chunk.Length; i++)
            {
                var n = new Node { Next = previous, Payload = (i & 7) == 0 ? new byte[64] : null };
                chunk[i] = n;
                previous = n;
            }

            chunks.Add(chunk);
            bytes += chunk.Length * (32 + 10) + 80_024;
        }

        Console.Error.WriteLine($"graph of {bytes >> 20} MB built in {sw.ElapsedMilliseconds} ms");
        return chunks;
    }
}

/// <summary>
/// Allocation throughput for the benchmark: allocates short-lived objects flat out on one thread and, every window (default 500 ms),
/// prints "TPUT &lt;unix ms&gt; &lt;MB allocated per second&gt; &lt;GCs per second&gt; &lt;bytes allocated since start&gt; &lt;process CPU ms since start&gt;
/// &lt;GC pause ms since start&gt; &lt;allocating thread's CPU ms since start&gt; &lt;gen0 GCs since start&gt;" (bytes per CPU second of the whole process, which
/// other load on the host does not move; the runtime's own pause total, GC.GetTotalPauseDuration, which splits a window's time
/// into pauses and the allocating code between them; the allocating thread's CPU time, which preemption by other threads does not
/// include). Args: [objectBytes] [windowMs] [liveMB].
/// A small object size gives thousands of gen0 GCs per second; liveMB keeps a live set that makes each GC do more work.
/// </summary>
public static class GcBenchMode
{
    private static object? s_sink;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec value);

    /// <summary>CPU time of the calling thread in ms (CLOCK_THREAD_CPUTIME_ID); -1 where it cannot be read.</summary>
    private static double ThreadCpuMs()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(3, out TimeSpec t) != 0)
        {
            return -1;
        }

        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }

    public static int Run(string[] args)
    {
        int objectBytes = args.Length > 0 ? int.Parse(args[0]) : 64;
        int windowMs = args.Length > 1 ? int.Parse(args[1]) : 500;
        int liveMb = args.Length > 2 ? int.Parse(args[2]) : 0;
        var live = new List<byte[]>();
        for (long b = 0; b < (long)liveMb << 20; b += 8192)
        {
            live.Add(new byte[8192]);
        }

        var stop = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            var sw = Stopwatch.StartNew();
            long total = 0;
            long totalAtWindowStart = 0;
            int gcs = GC.CollectionCount(0);
            long windowStart = 0;
            while (!stop.IsSet)
            {
                for (int i = 0; i < 1000; i++)
                {
                    s_sink = new byte[objectBytes];
                }

                total += 1000L * (objectBytes + 24);
                long now = sw.ElapsedMilliseconds;
                if (now - windowStart >= windowMs)
                {
                    double seconds = (now - windowStart) / 1000.0;
                    int g = GC.CollectionCount(0);
                    Console.Out.WriteLine(FormattableString.Invariant($"TPUT {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {(total - totalAtWindowStart) / seconds / 1e6:0.00} {(g - gcs) / seconds:0.0} {total} {Environment.CpuUsage.TotalTime.TotalMilliseconds:0.0} {GC.GetTotalPauseDuration().TotalMilliseconds:0.000} {ThreadCpuMs():0.0} {g}"));
                    Console.Out.Flush();
                    totalAtWindowStart = total;
                    gcs = g;
                    windowStart = now;
                }
            }
        }) { IsBackground = true };
        worker.Start();
        GC.KeepAlive(live);
        Program.ReadyAndWait();
        stop.Set();
        worker.Join();
        GC.KeepAlive(live);
        return 0;
    }
}

/// <summary>
/// The per-GC price of a session, for the floor benchmark: induces gen0 GCs back to back on its main thread (GC.Collect(0),
/// nothing surviving, about 60 µs each here) and, every window (default 250 ms), prints "LOOP &lt;unix ms&gt; &lt;GCs per second&gt; &lt;pause µs
/// per GC&gt; &lt;wall µs per GC&gt;". With nothing else to do, each GC's pause is all a session can lengthen, so a few µs per GC
/// stand out of the host's noise. Args: [windowMs] [seconds] (it ends after that many seconds, default 600; it reads no stdin).
/// </summary>
public static class GcLoopMode
{
    public static int Run(string[] args)
    {
        int windowMs = args.Length > 0 ? int.Parse(args[0]) : 250;
        int seconds = args.Length > 1 ? int.Parse(args[1]) : 600;
        // Each GC finds nothing alive in gen0: with one survivor per GC (an object a static still held), each induced gen0 GC
        // took ~800 µs here instead of ~60 µs, a baseline that would bury the few µs this mode is for.
        Console.Out.WriteLine($"READY {Environment.ProcessId}");
        Console.Out.Flush();
        var sw = Stopwatch.StartNew();
        long windowStart = 0;
        int gcs = GC.CollectionCount(0);
        double pause = GC.GetTotalPauseDuration().TotalMilliseconds;
        while (sw.ElapsedMilliseconds < seconds * 1000L)
        {
            for (int i = 0; i < 100; i++)
            {
                GC.KeepAlive(new byte[100]);
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            }

            long now = sw.ElapsedMilliseconds;
            if (now - windowStart >= windowMs)
            {
                int g = GC.CollectionCount(0);
                double p = GC.GetTotalPauseDuration().TotalMilliseconds;
                int n = Math.Max(1, g - gcs);
                Console.Out.WriteLine(FormattableString.Invariant($"LOOP {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {n * 1000.0 / (now - windowStart):0} {(p - pause) * 1000 / n:0.00} {(now - windowStart) * 1000.0 / n:0.00}"));
                Console.Out.Flush();
                windowStart = now;
                gcs = g;
                pause = p;
            }
        }

        return 0;
    }
}
