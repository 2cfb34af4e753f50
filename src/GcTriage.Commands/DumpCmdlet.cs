using System.Diagnostics.CodeAnalysis;
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
    public const string LiteralPathSet = "LiteralPath";
    public const string DumpSet = "Dump";

    public const string DumpNotGiven = ErrorCatalog.DumpNotGiven;

    private readonly List<GcDump> _owned = new();
    private readonly HashSet<GcDump> _warnedDamaged = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Dump file(s); wildcards expand. Not mandatory, so that forgetting it gets DumpNotGiven with a usage line rather than
    /// PowerShell's bare "missing mandatory parameters: Path".
    /// </summary>
    [Parameter(Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Dump file(s), taken as written (no wildcards). Binds PSPath/FullName from Get-ChildItem and DumpPath from this module's
    /// objects (so that Get-GcDictionary -Path x.dmp | Get-GcRoot finds the dump, whatever characters its name has).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName", "DumpPath")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>An open dump session from Open-GcDump.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DumpSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public GcDump? Dump { get; set; }

    /// <summary>The DAC to use for -Path (the way out when none found fits).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string? DacPath { get; set; }

    /// <summary>Folders to search for a DAC, beside the standard places and GCTRIAGE_DAC_PATH.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public string[]? DacSearchPath { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet && Path.Length == 0)
        {
            ThrowGcError(NoDumpGiven());
        }

        foreach (GcDump session in Sessions())
        {
            try
            {
                // The command's own lease: whatever Core does for it, the session keeps its DAC until the command is done
                // with it (Close-GcDump from another runspace waits for this, or leaves the release to it).
                using (DumpLease lease = ((DumpSession)session).Acquire())
                {
                    ProcessDump((DumpSession)session);
                }

                WarnIfDamaged(session);
            }
            catch (Exception e) when (ErrorMapper.IsReportable(e))
            {
                // One bad dump among many: its error, and the next dump. DumpClosed too: a session closed under this command
                // (or before it) is one item's error, with our ErrorId.
                WriteGcError(e, session.Path);
            }
        }
    }

    /// <summary>The sessions this call opened stay open for the next pipeline record on the same file; closed here.</summary>
    protected override void EndProcessing() => DisposeResources();

    private GcTriageException NoDumpGiven()
    {
        string name = MyInvocation.MyCommand.Name;
        string open = string.Join(", ", OpenDumps.Paths().Select(p => $"'{p}'"));
        return new GcTriageException(DumpNotGiven, GcErrorKind.InvalidArgument,
            $"{name} reads a dump, and none was given: add -Path <dump file>, or -Dump <session> from Open-GcDump"
            + (open.Length > 0 ? $" (open now: {open})." : "."),
            null)
        {
            RecommendedAction = $"{name} -Path ./app.dmp, or: $d = Open-GcDump ./app.dmp; {name} -Dump $d",
        };
    }

    /// <summary>Once per session and command: the walk met damaged objects, so every figure leaves them out.</summary>
    private void WarnIfDamaged(GcDump session)
    {
        if (session.IsDamaged && _warnedDamaged.Add(session))
        {
            WriteWarning($"The dump '{session.Path}' is damaged: {session.InvalidObjectCount:N0} objects have a method table, size or length "
                + "that cannot be right and are left out (the walk resumed at the next valid object); figures may undercount.");
        }
    }

    /// <summary>Answers the question on one dump; errors that concern only this dump go to WriteGcError.</summary>
    protected abstract void ProcessDump(DumpSession session);

    /// <summary>
    /// Runs a query about one object address (<see cref="GcTriageCmdlet.Run{T}"/>); an address that is no object of the dump is
    /// that address's error (InvalidAddress), and false, so that the command goes on with the next address.
    /// </summary>
    protected bool TryRunAt<T>(ulong address, Func<CancellationToken, IProgress<GcProgress>, T> work, [MaybeNullWhen(false)] out T result)
    {
        try
        {
            result = Run(work);
            return true;
        }
        catch (InvalidAddressException e)
        {
            WriteGcError(e, address);
            result = default;
            return false;
        }
    }

    private IEnumerable<GcDump> Sessions()
    {
        if (ParameterSetName == DumpSet)
        {
            if (!Dump!.IsOpen)
            {
                // One closed session among the pipeline's input: its error, and on to the next.
                WriteGcError(new DumpClosedException(Dump.Path), Dump.Path);
                yield break;
            }

            yield return Dump;
            yield break;
        }

        bool literal = ParameterSetName == LiteralPathSet;
        var files = PathResolver.ResolveInputs(this, literal ? LiteralPath : Path, literal).ToList();
        // A session this call opened for earlier records is kept only while the records name the same files: objects piped
        // from one dump (Get-GcDictionary -Path x.dmp | Get-GcRoot) reuse its walk, and a list of dumps holds one open at a time.
        foreach (GcDump stale in _owned.Where(s => !files.Contains(s.Path)).ToList())
        {
            _owned.Remove(stale);
            OpenDumps.Unlend(stale);
            stale.Dispose();
        }

        foreach (string file in files)
        {
            // Every session this call owns is lent, so Find has it too.
            GcDump? session = OpenDumps.Find(file);
            if (session is null)
            {
                session = DumpPaths.Open(this, file, DacPath, DacSearchPath);
                if (session is null)
                {
                    continue;
                }

                _owned.Add(session);
                OpenDumps.Lend(session);
            }

            yield return session;
        }
    }

    protected override void DisposeResources()
    {
        foreach (GcDump session in _owned.ToArray())
        {
            OpenDumps.Unlend(session);
            session.Dispose();
        }

        _owned.Clear();
    }
}

/// <summary>
/// The dump sessions Open-GcDump made in this PowerShell process, so that -Path reuses them; and the sessions a running
/// command opened for -Path ("lent"), so that a command further down the same pipeline reuses that walk instead of opening
/// the dump a second time. A lent session is closed by the command that opened it, after its last record has gone down the
/// pipeline.
/// </summary>
internal static class OpenDumps
{
    private static readonly List<GcDump> s_sessions = new();
    private static readonly List<GcDump> s_lent = new();

    public static void Lend(GcDump session)
    {
        lock (s_sessions)
        {
            s_lent.Add(session);
        }
    }

    public static void Unlend(GcDump session)
    {
        lock (s_sessions)
        {
            s_lent.Remove(session);
        }
    }

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

    public static IReadOnlyList<string> Paths()
    {
        lock (s_sessions)
        {
            return s_sessions.Where(s => s.IsOpen).Select(s => s.Path).ToList();
        }
    }

    /// <summary>The open session of that file: Open-GcDump's, or with <paramref name="includeLent"/> one a running command lent.</summary>
    public static GcDump? Find(string path, bool includeLent = true)
    {
        lock (s_sessions)
        {
            s_sessions.RemoveAll(s => !s.IsOpen);
            StringComparison comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            return s_sessions.LastOrDefault(s => string.Equals(s.Path, path, comparison))
                ?? (includeLent ? s_lent.LastOrDefault(s => s.IsOpen && string.Equals(s.Path, path, comparison)) : null);
        }
    }
}

/// <summary>Opening a dump with the cmdlet's own error and verbose streams.</summary>
internal static class DumpPaths
{
    /// <summary>Opens a dump, writing the DAC search to -Verbose; returns null after writing the error when it cannot.</summary>
    public static GcDump? Open(GcTriageCmdlet cmdlet, string file, string? dacPath, string[]? dacSearchPath)
    {
        var log = new List<string>();
        var warnings = new List<string>();
        try
        {
            var options = new DumpOpenOptions
            {
                DacPath = dacPath is null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(dacPath),
                DacSearchPath = (dacSearchPath ?? Array.Empty<string>()).Select(cmdlet.GetUnresolvedProviderPathFromPSPath).ToArray(),
                Log = log.Add,
                Warn = warnings.Add,
            };
            return DumpSession.Open(file, options);
        }
        catch (Exception e) when (ErrorMapper.IsReportable(e))
        {
            // A reader's complaint about the file's content (BadImageFormatException, EndOfStreamException...) is DumpFormat.
            GcTriageException error = ErrorCatalog.FromException(e, file);
            if (error.ErrorId is ErrorCatalog.InvalidData or ErrorCatalog.UnexpectedEndOfData)
            {
                error = new DumpFormatException(file, e.Message, e);
            }

            cmdlet.WriteError(ErrorMapper.ToErrorRecord(error, file));
            return null;
        }
        finally
        {
            foreach (string line in log)
            {
                cmdlet.WriteVerbose(line);
            }

            foreach (string line in warnings)
            {
                cmdlet.WriteWarning(line);
            }
        }
    }
}
