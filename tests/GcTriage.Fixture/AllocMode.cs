using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace GcTriage.Fixture;

/// <summary>The distinctive type of the alloc mode: 15 longs, 136 bytes per instance on 64-bit.</summary>
public sealed class AllocationMarkerPayload
{
    public long F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14;
}

/// <summary>
/// Allocates a known mix, steadily, on one thread (or --threads N), until "exit":
/// per round 4 x byte[1024] (1,048 bytes each, allocated in AllocMode.AllocateBuffers) and 8 x AllocationMarkerPayload
/// (136 bytes each, allocated in AllocMode.AllocateDistinctiveMarkers): the marker's share of bytes is 1088/5280 = 20.6%.
/// Everything goes into a small ring so nothing is stack-allocated by escape analysis and nearly everything dies in gen0.
///
/// Protocol (stdin): "stop" pauses allocation, "start" resumes it, "rate" prints "RATE &lt;bytes per second since the last
/// rate&gt; &lt;rounds&gt; &lt;bytes per CPU second of the whole process since the last rate&gt;", "exit" ends. Prints "MIX marker=0.2061" and then "READY &lt;pid&gt;".
/// </summary>
public static class AllocMode
{
    public const int BytesPerRound = 4 * 1048 + 8 * 136;

    private static readonly object?[] s_ring = new object?[256];
    private static long s_rounds;
    private static volatile bool s_running = true;
    private static volatile bool s_exit;

    public static int Run(string[] args)
    {
        int threads = 1;
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--threads")
            {
                threads = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var workers = new List<Thread>();
        for (int t = 0; t < threads; t++)
        {
            var th = new Thread(Loop) { IsBackground = true, Name = "alloc-" + t };
            th.Start();
            workers.Add(th);
        }

        Console.Out.WriteLine($"MIX marker={8 * 136 / (double)BytesPerRound:0.0000}");
        Console.Out.WriteLine($"READY {Environment.ProcessId}");
        Console.Out.Flush();

        var sw = Stopwatch.StartNew();
        long lastRounds = 0;
        using var self = Process.GetCurrentProcess();
        TimeSpan lastCpu = self.TotalProcessorTime;
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            switch (line.Trim())
            {
                case "exit":
                    s_exit = true;
                    return 0;
                case "stop":
                    s_running = false;
                    Console.Out.WriteLine("STOPPED");
                    break;
                case "start":
                    s_running = true;
                    Console.Out.WriteLine("STARTED");
                    break;
                case "rate":
                    long rounds = Interlocked.Read(ref s_rounds);
                    double seconds = sw.Elapsed.TotalSeconds;
                    sw.Restart();
                    double bytes = (rounds - lastRounds) * (double)BytesPerRound;
                    self.Refresh();
                    TimeSpan cpu = self.TotalProcessorTime;
                    double perCpu = bytes / Math.Max(1e-3, (cpu - lastCpu).TotalSeconds);
                    lastCpu = cpu;
                    lastRounds = rounds;
                    Console.Out.WriteLine(FormattableString.Invariant($"RATE {bytes / seconds:0} {rounds} {perCpu:0}"));
                    break;
            }

            Console.Out.Flush();
        }

        s_exit = true;
        return 0;
    }

    private static void Loop()
    {
        int slot = 0;
        while (!s_exit)
        {
            if (!s_running)
            {
                Thread.Sleep(10);
                continue;
            }

            for (int i = 0; i < 1000; i++)
            {
                slot = AllocateBuffers(slot);
                slot = AllocateDistinctiveMarkers(slot);
            }

            Interlocked.Add(ref s_rounds, 1000);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int AllocateBuffers(int slot)
    {
        for (int i = 0; i < 4; i++)
        {
            s_ring[slot] = new byte[1024];
            slot = (slot + 1) & 255;
        }

        return slot;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int AllocateDistinctiveMarkers(int slot)
    {
        for (int i = 0; i < 8; i++)
        {
            s_ring[slot] = new AllocationMarkerPayload { F0 = i };
            slot = (slot + 1) & 255;
        }

        return slot;
    }
}
