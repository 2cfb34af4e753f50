using System.Collections.ObjectModel;
using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// Base for every command that reads a dump: either -Dump (an open GcDump from Open-GcDump) or -Path (opens a session for this
/// call and closes it after, or reuses the session Open-GcDump already has for that file).
/// </summary>
public abstract class DumpCmdlet : GcTriageCmdlet
{
    public const string PathSet = "Path";
    public const string DumpSet = "Dump";

    private readonly List<GcDump> _owned = new();

    /// <summary>Dump file(s); wildcards allowed; binds FullName from Get-ChildItem.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>An open dump session from Open-GcDump.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DumpSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public GcDump? Dump { get; set; }

    /// <summary>The DAC to use for -Path (the way out when none found fits).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? DacPath { get; set; }

    /// <summary>Folders to search for a DAC, beside the standard places and GCTRIAGE_DAC_PATH.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public string[]? DacSearchPath { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var (session, owned) in Sessions())
        {
            try
            {
                ProcessDump((DumpSession)session);
            }
            catch (GcTriageException e) when (e is not DumpClosedException)
            {
                WriteGcError(e, session.Path);
            }
            finally
            {
                if (owned)
                {
                    Release(session);
                }
            }
        }
    }

    /// <summary>Answers the question on one dump; errors that concern only this dump go to WriteGcError.</summary>
    protected abstract void ProcessDump(DumpSession session);

    private IEnumerable<(GcDump Session, bool Owned)> Sessions()
    {
        if (ParameterSetName == DumpSet)
        {
            if (!Dump!.IsOpen)
            {
                ThrowGcError(new DumpClosedException(Dump.Path), Dump);
            }

            yield return (Dump, false);
            yield break;
        }

        foreach (string file in DumpPaths.Resolve(this, Path))
        {
            GcDump? session = OpenDumps.Find(file);
            bool owned = false;
            if (session is null)
            {
                session = DumpPaths.Open(this, file, DacPath, DacSearchPath);
                if (session is null)
                {
                    continue;
                }

                owned = true;
                _owned.Add(session);
            }

            yield return (session, owned);
        }
    }

    private void Release(GcDump session)
    {
        _owned.Remove(session);
        session.Dispose();
    }

    protected override void DisposeResources()
    {
        foreach (GcDump session in _owned.ToArray())
        {
            session.Dispose();
        }

        _owned.Clear();
    }
}

/// <summary>The dump sessions Open-GcDump made in this PowerShell process, so that -Path reuses them.</summary>
internal static class OpenDumps
{
    private static readonly List<GcDump> s_sessions = new();

    public static void Add(GcDump session)
    {
        lock (s_sessions)
        {
            s_sessions.RemoveAll(s => !s.IsOpen);
            s_sessions.Add(session);
        }
    }

    public static void Remove(GcDump session)
    {
        lock (s_sessions)
        {
            s_sessions.Remove(session);
        }
    }

    public static GcDump? TakeAny()
    {
        lock (s_sessions)
        {
            if (s_sessions.Count == 0)
            {
                return null;
            }

            GcDump last = s_sessions[^1];
            s_sessions.RemoveAt(s_sessions.Count - 1);
            return last;
        }
    }

    public static GcDump? Find(string path)
    {
        lock (s_sessions)
        {
            s_sessions.RemoveAll(s => !s.IsOpen);
            return s_sessions.LastOrDefault(s => string.Equals(s.Path, path, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
        }
    }
}

/// <summary>Path resolution and opening with the cmdlet's own error and verbose streams.</summary>
internal static class DumpPaths
{
    /// <summary>Resolves PowerShell paths (wildcards, PSDrives); a path that matches nothing gets a non-terminating error.</summary>
    public static IEnumerable<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths)
    {
        foreach (string p in paths)
        {
            if (WildcardPattern.ContainsWildcardCharacters(p))
            {
                Collection<string> resolved;
                try
                {
                    resolved = cmdlet.GetResolvedProviderPathFromPSPath(p, out _);
                }
                catch (ItemNotFoundException e)
                {
                    cmdlet.WriteError(new ErrorRecord(e, "DumpNotFound", ErrorCategory.ObjectNotFound, p));
                    continue;
                }

                foreach (string r in resolved)
                {
                    yield return r;
                }
            }
            else
            {
                yield return cmdlet.GetUnresolvedProviderPathFromPSPath(p);
            }
        }
    }

    /// <summary>Opens a dump, writing the DAC search to -Verbose; returns null after writing the error when it cannot.</summary>
    public static GcDump? Open(GcTriageCmdlet cmdlet, string file, string? dacPath, string[]? dacSearchPath)
    {
        var log = new List<string>();
        try
        {
            var options = new DumpOpenOptions
            {
                DacPath = dacPath is null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(dacPath),
                DacSearchPath = (dacSearchPath ?? Array.Empty<string>()).Select(cmdlet.GetUnresolvedProviderPathFromPSPath).ToArray(),
                Log = log.Add,
            };
            return DumpSession.Open(file, options);
        }
        catch (GcTriageException e)
        {
            cmdlet.WriteError(ErrorMapper.ToErrorRecord(e, file));
            return null;
        }
        finally
        {
            foreach (string line in log)
            {
                cmdlet.WriteVerbose(line);
            }
        }
    }
}
