using System.Runtime.InteropServices;

namespace GcTriage.Core;

/// <summary>What a dump says about the runtime it holds: enough to pick a DAC offline.</summary>
/// <param name="DumpPath">The dump file.</param>
/// <param name="RuntimeModulePath">Where libcoreclr.so / coreclr.dll was loaded from in the dumped process.</param>
/// <param name="RuntimeVersion">The version the dump reports; null or 0.0 when unknown (.NET 10 Linux dumps read this way).</param>
/// <param name="RuntimeBuildId">ELF build-id of the dumped libcoreclr.so (hex), when known.</param>
/// <param name="DacBuildId">Build-id of the DAC the runtime names for itself (hex), when known.</param>
public sealed record DacRequest(string DumpPath, string RuntimeModulePath, string? RuntimeVersion, string? RuntimeBuildId, string? DacBuildId)
{
    public bool VersionKnown => RuntimeVersion is not null && RuntimeVersion != "0.0" && RuntimeVersion != "0.0.0.0";
}

/// <summary>A candidate DAC that matched the dump, with where it came from and why it was accepted.</summary>
public sealed record DacCandidate(string Path, string Source, string Reason, string? RuntimeVersion);

/// <summary>
/// Finds the DAC for a dump offline, in this order: the runtime folder the dump names (if it exists here), every installed
/// .NET runtime folder, the dump's own folder, then -DacSearchPath and GCTRIAGE_DAC_PATH folders. A candidate is accepted
/// only when its runtime matches the dump: by version where the dump reports one, by ELF build-id of the libcoreclr beside it
/// (or of the DAC itself) where the version reads 0.0. A DAC is native code run as the current user (often root): one that
/// fails <see cref="TrustedPath"/> is rejected before it is read or loaded.
/// </summary>
public sealed class DacLocator
{
    public const string EnvironmentVariable = "GCTRIAGE_DAC_PATH";

    private readonly IReadOnlyList<string> _searchPaths;
    private readonly IReadOnlyList<string> _dotnetRoots;

    public DacLocator(IEnumerable<string>? searchPaths = null, IEnumerable<string>? dotnetRoots = null)
    {
        var paths = new List<string>(searchPaths ?? Array.Empty<string>());
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            paths.AddRange(env.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        _searchPaths = paths;
        _dotnetRoots = (dotnetRoots ?? DefaultDotnetRoots()).ToList();
    }

    public static string DacFileName =>
        OperatingSystem.IsWindows() ? "mscordaccore.dll" : OperatingSystem.IsMacOS() ? "libmscordaccore.dylib" : "libmscordaccore.so";

    public static string RuntimeFileName =>
        OperatingSystem.IsWindows() ? "coreclr.dll" : OperatingSystem.IsMacOS() ? "libcoreclr.dylib" : "libcoreclr.so";

    /// <summary>
    /// Every candidate in search order, each either accepted (yielded as a match) or rejected into <paramref name="rejected"/>.
    /// Lazy: the caller stops at the first candidate it can load.
    /// </summary>
    public IEnumerable<DacCandidate> FindCandidates(DacRequest request, List<GcDacCandidate> rejected)
    {
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var (folder, source) in CandidateFolders(request))
        {
            string dac;
            try
            {
                dac = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, DacFileName));
            }
            catch (ArgumentException)
            {
                continue;
            }

            if (!seen.Add(dac))
            {
                continue;
            }

            if (!File.Exists(dac))
            {
                if (source != "InstalledRuntime")
                {
                    rejected.Add(new GcDacCandidate { Path = dac, Source = source, Reason = "no such file" });
                }

                continue;
            }

            // Before anything else reads or loads it: a DAC that others could have written is never a candidate.
            string? distrust = TrustedPath.WhyUntrusted(dac);
            if (distrust is not null)
            {
                rejected.Add(new GcDacCandidate { Path = dac, Source = source, Reason = "not trusted: " + distrust });
                continue;
            }

            string? reason = Match(request, folder, dac, out string? version, out string? why);
            if (reason is null)
            {
                yield return new DacCandidate(dac, source, why!, version);
            }
            else
            {
                rejected.Add(new GcDacCandidate { Path = dac, Source = source, Reason = reason });
            }
        }
    }

    /// <summary>The message for when nothing fits: what is needed, where we looked, and the -DacPath way out.</summary>
    public string DescribeFailure(DacRequest request, IReadOnlyList<GcDacCandidate> rejected)
    {
        string needed = request.VersionKnown
            ? $".NET runtime {request.RuntimeVersion}"
            : $"the .NET runtime whose {RuntimeFileName} has build-id {request.RuntimeBuildId ?? "(unknown)"} (the dump reads its version as 0.0; it was loaded from {System.IO.Path.GetDirectoryName(request.RuntimeModulePath)})";
        string looked = rejected.Count == 0
            ? "no candidate DAC was found"
            : "rejected: " + string.Join("; ", rejected.Select(r => $"{r.Path} ({r.Reason})"));
        return $"No DAC ({DacFileName}) matching the dump '{request.DumpPath}' was found: it needs {needed}; {looked}. "
            + $"Copy {DacFileName} from that runtime's folder on the machine the dump came from, and pass it with -DacPath "
            + $"(or add its folder to -DacSearchPath or the {EnvironmentVariable} environment variable).";
    }

    private IEnumerable<(string Folder, string Source)> CandidateFolders(DacRequest request)
    {
        string? runtimeFolder = SafeDirectoryName(request.RuntimeModulePath);
        if (runtimeFolder is not null)
        {
            yield return (runtimeFolder, "RuntimeFolder");
        }

        foreach (string root in _dotnetRoots)
        {
            string shared = System.IO.Path.Combine(root, "shared", "Microsoft.NETCore.App");
            if (!Directory.Exists(shared))
            {
                continue;
            }

            foreach (string dir in Directory.EnumerateDirectories(shared).OrderByDescending(d => d, StringComparer.Ordinal))
            {
                yield return (dir, "InstalledRuntime");
            }
        }

        string? dumpFolder = SafeDirectoryName(System.IO.Path.GetFullPath(request.DumpPath));
        if (dumpFolder is not null)
        {
            yield return (dumpFolder, "DumpFolder");
        }

        foreach (string path in _searchPaths)
        {
            if (File.Exists(path))
            {
                string? dir = SafeDirectoryName(path);
                if (dir is not null)
                {
                    yield return (dir, "SearchPath");
                }

                continue;
            }

            yield return (path, "SearchPath");
            if (Directory.Exists(path))
            {
                foreach (string sub in Directory.EnumerateDirectories(path))
                {
                    yield return (sub, "SearchPath");
                }
            }
        }
    }

    /// <summary>Null when the DAC in <paramref name="folder"/> fits the dump; otherwise why not.</summary>
    private static string? Match(DacRequest request, string folder, string dac, out string? version, out string? why)
    {
        version = VersionOfFolder(folder);
        why = null;
        if (request.VersionKnown)
        {
            if (version is not null && VersionsEqual(version, request.RuntimeVersion!))
            {
                why = $"runtime version {version} matches the dump";
                return null;
            }

            if (version is null && request.DacBuildId is not null && string.Equals(ElfBuildId.Read(dac), request.DacBuildId, StringComparison.OrdinalIgnoreCase))
            {
                why = $"DAC build-id {request.DacBuildId} matches the dump";
                return null;
            }

            return $"runtime version {version ?? "unknown"}, the dump needs {request.RuntimeVersion}";
        }

        string? runtimeBuildId = ElfBuildId.Read(System.IO.Path.Combine(folder, RuntimeFileName));
        if (request.RuntimeBuildId is not null && runtimeBuildId is not null
            && string.Equals(runtimeBuildId, request.RuntimeBuildId, StringComparison.OrdinalIgnoreCase))
        {
            why = $"{RuntimeFileName} build-id {runtimeBuildId} matches the dump";
            return null;
        }

        string? dacBuildId = request.DacBuildId is null ? null : ElfBuildId.Read(dac);
        if (dacBuildId is not null && string.Equals(dacBuildId, request.DacBuildId, StringComparison.OrdinalIgnoreCase))
        {
            why = $"DAC build-id {dacBuildId} matches the dump";
            return null;
        }

        if (request.RuntimeBuildId is null)
        {
            return "the dump gives neither a runtime version nor a build-id to match against";
        }

        return runtimeBuildId is null
            ? $"no readable {RuntimeFileName} beside it to compare build-ids (the dump needs {request.RuntimeBuildId})"
            : $"{RuntimeFileName} build-id {runtimeBuildId}, the dump needs {request.RuntimeBuildId}";
    }

    private static bool VersionsEqual(string a, string b)
    {
        static string Core(string v) => v.Split('-', '+')[0];
        return Version.TryParse(Core(a), out var va) && Version.TryParse(Core(b), out var vb)
            ? va.Major == vb.Major && va.Minor == vb.Minor && va.Build == vb.Build
            : string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }

    private static string? VersionOfFolder(string folder)
    {
        string name = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(folder));
        return Version.TryParse(name.Split('-', '+')[0], out _) ? name : null;
    }

    private static string? SafeDirectoryName(string path)
    {
        try
        {
            return string.IsNullOrEmpty(path) ? null : System.IO.Path.GetDirectoryName(path);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Where .NET is installed here: DOTNET_ROOT, the running runtime's own root, the usual install folders.</summary>
    public static IEnumerable<string> DefaultDotnetRoots()
    {
        var roots = new List<string>();
        void Add(string? p)
        {
            if (!string.IsNullOrEmpty(p) && Directory.Exists(p) && !roots.Contains(p))
            {
                roots.Add(p);
            }
        }

        Add(Environment.GetEnvironmentVariable("DOTNET_ROOT"));
        // <root>/shared/Microsoft.NETCore.App/<version>/ is where this process's runtime lives.
        string runtimeDir = RuntimeEnvironment.GetRuntimeDirectory();
        Add(System.IO.Path.GetFullPath(System.IO.Path.Combine(runtimeDir, "..", "..", "..")));
        if (OperatingSystem.IsWindows())
        {
            Add(System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "dotnet"));
        }
        else
        {
            Add("/usr/share/dotnet");
            Add("/usr/lib/dotnet");
            Add("/usr/local/share/dotnet");
            Add("/opt/dotnet");
            Add(System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet"));
        }

        return roots;
    }
}
