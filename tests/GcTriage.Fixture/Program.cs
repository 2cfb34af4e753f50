using System.Reflection;

namespace GcTriage.Fixture;

/// <summary>
/// Test target whose heap and GC activity are known exactly. Usage: GcTriage.Fixture &lt;mode&gt; [args].
/// Each mode is a class GcTriage.Fixture.&lt;Mode&gt;Mode with a static int Run(string[] args).
/// Every mode prints "READY &lt;pid&gt;" once its state is in place, then follows the protocol it documents.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: GcTriage.Fixture <mode> [args]");
            return 2;
        }

        string name = "GcTriage.Fixture." + char.ToUpperInvariant(args[0][0]) + args[0][1..] + "Mode";
        Type? mode = typeof(Program).Assembly.GetType(name, throwOnError: false, ignoreCase: true);
        MethodInfo? run = mode?.GetMethod("Run", BindingFlags.Public | BindingFlags.Static);
        if (run is null)
        {
            Console.Error.WriteLine($"unknown mode '{args[0]}'");
            return 2;
        }

        return (int)run.Invoke(null, new object[] { args[1..] })!;
    }

    /// <summary>Announces readiness and blocks until stdin says "exit" or closes.</summary>
    public static void ReadyAndWait()
    {
        Console.Out.WriteLine($"READY {Environment.ProcessId}");
        Console.Out.Flush();
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            if (line.Trim() == "exit")
            {
                break;
            }
        }
    }
}
