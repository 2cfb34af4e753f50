using System.Diagnostics;

namespace GcTriage.Core.Tests;

/// <summary>
/// A running instance of tests/GcTriage.Fixture in one of its modes. Start waits for its "READY &lt;pid&gt;" line;
/// Dispose asks it to exit and kills it if it does not.
/// </summary>
public sealed class FixtureProcess : IDisposable
{
    private readonly Process _process;

    private FixtureProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public Process Process => _process;
    public List<string> Lines { get; } = new();

    public static string FixtureDll
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable("GCTRIAGE_FIXTURE");
            if (!string.IsNullOrEmpty(fromEnv))
            {
                return fromEnv;
            }

            string root = RepositoryRoot;
            foreach (string config in new[] { "Release", "Debug" })
            {
                string candidate = Path.Combine(root, "tests", "GcTriage.Fixture", "bin", config, "net10.0", "GcTriage.Fixture.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException("GcTriage.Fixture.dll is not built; run build.ps1 Build.");
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "GcTriage.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new DirectoryNotFoundException("repository root (GcTriage.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    public static FixtureProcess Start(string mode, IEnumerable<string>? args = null, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(FixtureDll);
        psi.ArgumentList.Add(mode);
        foreach (string a in args ?? Array.Empty<string>())
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var kv in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[kv.Key] = kv.Value;
        }

        var fixture = new FixtureProcess(Process.Start(psi)!);
        fixture.WaitForLine("READY", timeout ?? TimeSpan.FromSeconds(60));
        return fixture;
    }

    /// <summary>Reads stdout lines until one starts with <paramref name="prefix"/>; returns it.</summary>
    public string WaitForLine(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var read = _process.StandardOutput.ReadLineAsync();
            TimeSpan left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !read.Wait(left))
            {
                throw new TimeoutException($"fixture did not print '{prefix}' within {timeout}; saw: {string.Join(" | ", Lines)}; stderr: {SafeStderr()}");
            }

            string? line = read.Result;
            if (line is null)
            {
                throw new InvalidOperationException($"fixture exited before printing '{prefix}'; saw: {string.Join(" | ", Lines)}; stderr: {SafeStderr()}");
            }

            Lines.Add(line);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    private string SafeStderr()
    {
        try
        {
            return _process.HasExited ? _process.StandardError.ReadToEnd() : "";
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    Send("exit");
                }
                catch (IOException)
                {
                }

                if (!_process.WaitForExit(5000))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(5000);
                }
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>A private temp folder (mode 0700) removed with everything in it on Dispose: dumps never outlive a test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gctriage-test-" + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path);
        }
        else
        {
            Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
