using System.Globalization;

namespace GcTriage.Core;

/// <summary>Container limits of one process's cgroup, as the files say.</summary>
public sealed record CGroupLimits(int Version, string? Path, double? CpuQuotaCores, long? MemoryLimitBytes, string? CpuSource, string? MemorySource);

/// <summary>
/// Reads a process's cgroup (v2 unified or v1) from /proc/&lt;pid&gt;/cgroup and its limit files under the cgroup mount.
/// Both roots are injectable so tests can point at a temp folder laid out like /proc and /sys/fs/cgroup.
/// </summary>
public sealed class CGroupReader
{
    private readonly string _procRoot;
    private readonly string _cgroupRoot;

    public CGroupReader(string procRoot = "/proc", string cgroupRoot = "/sys/fs/cgroup")
    {
        _procRoot = procRoot;
        _cgroupRoot = cgroupRoot;
    }

    /// <summary>Null when the process has no cgroup file (not Linux, or gone). Throws UnauthorizedAccessException when it may not be read.</summary>
    public CGroupLimits? Read(int processId)
    {
        string cgroupFile = Path.Combine(_procRoot, processId.ToString(CultureInfo.InvariantCulture), "cgroup");
        if (!File.Exists(cgroupFile))
        {
            return null;
        }

        string? unifiedPath = null;
        string? cpuPath = null;
        string? memoryPath = null;
        foreach (string line in File.ReadAllLines(cgroupFile))
        {
            // hierarchy-ID:controller-list:cgroup-path
            string[] parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[0] == "0" && parts[1].Length == 0)
            {
                unifiedPath = parts[2];
            }

            foreach (string controller in parts[1].Split(','))
            {
                if (controller == "cpu")
                {
                    cpuPath = parts[2];
                }
                else if (controller == "memory")
                {
                    memoryPath = parts[2];
                }
            }
        }

        bool v2 = File.Exists(Path.Combine(_cgroupRoot, "cgroup.controllers"));
        if (v2 || (cpuPath is null && memoryPath is null))
        {
            string path = unifiedPath ?? "/";
            string? cpuMax = FindFile(_cgroupRoot, path, "cpu.max");
            string? memMax = FindFile(_cgroupRoot, path, "memory.max");
            return new CGroupLimits(2, path,
                cpuMax is null ? null : ParseCpuMax(File.ReadAllText(cpuMax)),
                memMax is null ? null : ParseLimit(File.ReadAllText(memMax)),
                cpuMax, memMax);
        }

        string cpuRoot = Path.Combine(_cgroupRoot, "cpu");
        if (!Directory.Exists(cpuRoot))
        {
            cpuRoot = Path.Combine(_cgroupRoot, "cpu,cpuacct");
        }

        string? quotaFile = cpuPath is null ? null : FindFile(cpuRoot, cpuPath, "cpu.cfs_quota_us");
        string? periodFile = quotaFile is null ? null : Path.Combine(Path.GetDirectoryName(quotaFile)!, "cpu.cfs_period_us");
        double? quota = null;
        if (quotaFile is not null && periodFile is not null && File.Exists(periodFile))
        {
            quota = ParseCfsQuota(File.ReadAllText(quotaFile), File.ReadAllText(periodFile));
        }

        string? memFile = memoryPath is null ? null : FindFile(Path.Combine(_cgroupRoot, "memory"), memoryPath, "memory.limit_in_bytes");
        return new CGroupLimits(1, memoryPath ?? cpuPath, quota, memFile is null ? null : ParseLimit(File.ReadAllText(memFile)), quotaFile, memFile);
    }

    /// <summary>
    /// The limit file of the process's own cgroup; inside a container the cgroup namespace often hides the host path,
    /// so the mount root itself is the fallback (it is the container's cgroup there).
    /// </summary>
    private static string? FindFile(string mountRoot, string cgroupPath, string fileName)
    {
        string relative = cgroupPath.TrimStart('/');
        string direct = Path.Combine(mountRoot, relative, fileName);
        if (File.Exists(direct))
        {
            return direct;
        }

        string atRoot = Path.Combine(mountRoot, fileName);
        return File.Exists(atRoot) ? atRoot : null;
    }

    /// <summary>cgroup v2 cpu.max: "$MAX $PERIOD", MAX may be "max". Returns cores, null when unlimited.</summary>
    public static double? ParseCpuMax(string content)
    {
        string[] parts = content.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] == "max")
        {
            return null;
        }

        long max = long.Parse(parts[0], CultureInfo.InvariantCulture);
        long period = parts.Length > 1 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : 100_000;
        return period <= 0 ? null : (double)max / period;
    }

    /// <summary>cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us; quota -1 means unlimited.</summary>
    public static double? ParseCfsQuota(string quotaContent, string periodContent)
    {
        long quota = long.Parse(quotaContent.Trim(), CultureInfo.InvariantCulture);
        long period = long.Parse(periodContent.Trim(), CultureInfo.InvariantCulture);
        return quota <= 0 || period <= 0 ? null : (double)quota / period;
    }

    /// <summary>memory.max ("max" or bytes) and memory.limit_in_bytes (bytes; a value near 2^63 means unlimited).</summary>
    public static long? ParseLimit(string content)
    {
        string s = content.Trim();
        if (s == "max" || s.Length == 0)
        {
            return null;
        }

        if (!ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            return null;
        }

        // v1 reports "no limit" as LONG_MAX rounded down to the page size.
        return value >= 0x7FFF_FFFF_FFFF_0000UL ? null : (long)value;
    }

    /// <summary>CPUs the process may run on (/proc/&lt;pid&gt;/status Cpus_allowed_list), null when unknown.</summary>
    public int? ReadAffinityCount(int processId)
    {
        string status = Path.Combine(_procRoot, processId.ToString(CultureInfo.InvariantCulture), "status");
        if (!File.Exists(status))
        {
            return null;
        }

        foreach (string line in File.ReadLines(status))
        {
            if (line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
            {
                return CountCpuList(line["Cpus_allowed_list:".Length..].Trim());
            }
        }

        return null;
    }

    /// <summary>"0-3,8,10-11" -> 7.</summary>
    public static int CountCpuList(string list)
    {
        int count = 0;
        foreach (string range in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = range.IndexOf('-');
            if (dash < 0)
            {
                count++;
            }
            else
            {
                count += int.Parse(range[(dash + 1)..], CultureInfo.InvariantCulture) - int.Parse(range[..dash], CultureInfo.InvariantCulture) + 1;
            }
        }

        return count;
    }
}
