using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// The unattended triage of a process or a dump: pauses, settings, a dump per -CaptureDump, heap statistics and the other heap
/// parts, findings and ranked likely causes; writes CSVs, report.json and a self-contained report.html into -OutputDirectory.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "GcTriage", DefaultParameterSetName = ProcessSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(GcTriageReport))]
public sealed class InvokeGcTriageCommand : GcTriageCmdlet
{
    public const string ProcessSet = "Process";
    public const string PathSet = "Path";
    public const string LiteralPathSet = "LiteralPath";
    public const string DumpSet = "Dump";

    /// <summary>The process to triage.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ProcessSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateRange(1, int.MaxValue)]
    public int ProcessId { get; set; }

    /// <summary>A dump file to triage; a wildcard must match one file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>A dump file to triage, taken as written; Get-ChildItem's output binds here.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    /// <summary>An open dump session to triage.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DumpSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public GcDump? Dump { get; set; }

    /// <summary>The pause sampling window.</summary>
    [Parameter(ParameterSetName = ProcessSet)]
    [GcDuration]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A pause this long (P99 or Max) is a finding, and with -CaptureDump OnThreshold triggers the dump.</summary>
    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double PauseThresholdMs { get; set; } = 200;

    /// <summary>Where the report files go; created owner-only when missing.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputDirectory { get; set; }

    /// <summary>When to capture a dump of the process.</summary>
    [Parameter(ParameterSetName = ProcessSet)]
    public GcCaptureDumpMode CaptureDump { get; set; } = GcCaptureDumpMode.OnThreshold;

    /// <summary>Delete the captured dump once the report's parts are read from it (the dump holds the process's memory).</summary>
    [Parameter(ParameterSetName = ProcessSet)]
    public SwitchParameter RemoveDump { get; set; }

    /// <summary>Rows in each table of the report.</summary>
    [Parameter]
    [ValidateRange(1, 10_000)]
    public int Top { get; set; } = 20;

    /// <summary>End with a terminating error when a finding of this severity or worse exists.</summary>
    [Parameter]
    public GcFindingSeverity? FailOnFinding { get; set; }

    /// <summary>Overwrite a report already in the output directory.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The DAC to use for the dump.</summary>
    [Parameter(ParameterSetName = ProcessSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string? DacPath { get; set; }

    /// <summary>Folders to search for a DAC.</summary>
    [Parameter(ParameterSetName = ProcessSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public string[]? DacSearchPath { get; set; }

    protected override void ProcessRecord()
    {
        string? dumpPath = null;
        DumpSession? session = null;
        string targetLabel;
        switch (ParameterSetName)
        {
            case PathSet:
            case LiteralPathSet:
                try
                {
                    dumpPath = ParameterSetName == LiteralPathSet
                        ? PathResolver.ResolveOne(this, LiteralPath!, literal: true)
                        : PathResolver.ResolveOne(this, Path!, literal: false);
                }
                catch (GcTriageException e)
                {
                    ThrowGcError(e, Path);
                    return;
                }

                if (OpenDumps.Find(dumpPath) is DumpSession open)
                {
                    session = open;
                }

                targetLabel = System.IO.Path.GetFileNameWithoutExtension(dumpPath);
                break;
            case DumpSet:
                if (!Dump!.IsOpen)
                {
                    ThrowGcError(new DumpClosedException(Dump.Path), Dump);
                }

                session = (DumpSession)Dump;
                targetLabel = System.IO.Path.GetFileNameWithoutExtension(session.Path);
                break;
            default:
                targetLabel = "pid" + ProcessId;
                break;
        }

        string output = OutputDirectory is null
            ? System.IO.Path.Combine(SessionState.Path.CurrentFileSystemLocation.ProviderPath, $"gctriage-{targetLabel}-{DateTime.UtcNow:yyyyMMdd-HHmmss}")
            : GetUnresolvedProviderPathFromPSPath(OutputDirectory);

        // The open log's verbose lines and its warnings (an untrusted -DacPath), in the order they came.
        var log = new List<(bool Warning, string Text)>();
        var options = new TriageOptions
        {
            ProcessId = ParameterSetName == ProcessSet ? ProcessId : null,
            DumpPath = session is null ? dumpPath : null,
            Dump = session,
            DumpOpenOptions = new DumpOpenOptions
            {
                DacPath = DacPath is null ? null : GetUnresolvedProviderPathFromPSPath(DacPath),
                DacSearchPath = (DacSearchPath ?? Array.Empty<string>()).Select(GetUnresolvedProviderPathFromPSPath).ToArray(),
                Log = line => { lock (log) { log.Add((false, line)); } },
                Warn = line => { lock (log) { log.Add((true, line)); } },
            },
            Duration = Duration,
            PauseThresholdMs = PauseThresholdMs,
            CaptureDump = CaptureDump,
            RemoveCapturedDump = RemoveDump,
            Top = Top,
            OutputDirectory = output,
            Force = Force,
            ToolVersion = MyInvocation.MyCommand.Module?.Version?.ToString(),
        };

        string target = options.ProcessId is int pid ? $"process {pid}" : (session?.Path ?? dumpPath!);
        if (!ShouldProcess(target, $"Triage, writing the report into {output}"))
        {
            return;
        }

        // The output folder first: an unwritable one is a clear error before any sampling starts.
        ReportDirectory? folder = null;
        try
        {
            folder = TriageRunner.PrepareOutput(options);
        }
        catch (GcTriageException e)
        {
            ThrowGcError(e, output);
        }

        WriteVerbose($"Report folder: {output}");
        GcTriageReport? report = null;
        try
        {
            var runner = new TriageRunner(options);
            report = Run((ct, progress) => runner.Run(ct, progress));
        }
        catch (GcTriageException e)
        {
            ThrowGcError(e, e.Target ?? target);
            return;
        }
        finally
        {
            if (report is null)
            {
                folder?.RemoveIfUnused();
            }

            foreach ((bool warning, string text) in log)
            {
                if (warning)
                {
                    WriteWarning(text);
                }
                else
                {
                    WriteVerbose(text);
                }
            }
        }

        foreach (GcTriageError e in report.Errors)
        {
            WriteWarning($"{e.Part} could not be read: {e.Message}");
        }

        WriteObject(report);

        if (FailOnFinding is GcFindingSeverity severity)
        {
            var failing = report.Findings.Where(f => f.Severity >= severity).ToList();
            if (failing.Count > 0)
            {
                ThrowGcError(new FindingSeverityException(severity, failing, report.Target), report.Target);
            }
        }
    }
}
