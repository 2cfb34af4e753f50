namespace GcTriage.Core;

/// <summary>
/// The unattended triage: for a process, settings and pauses over a window, then a dump per the capture mode; for a dump (given
/// or captured), heap statistics and the other heap parts, all from the session's one heap walk. Each part that fails is listed
/// in Errors and the rest goes on; the files are written at the end. The output folder is checked before anything is sampled.
/// </summary>
public sealed class TriageRunner
{
    private readonly TriageOptions _options;
    private readonly List<GcTriageError> _errors = new();
    private readonly List<GcFinding> _findings = new();
    private readonly List<TriageAnalyzer.Cause> _causes = new();

    public TriageRunner(TriageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ProcessId is null && options.DumpPath is null && options.Dump is null)
        {
            throw new ArgumentException("A triage needs a process id or a dump.", nameof(options));
        }

        _options = options;
    }

    /// <summary>Checks the output folder (created owner-only); throws OutputDirectoryException before any sampling.</summary>
    public static ReportDirectory PrepareOutput(TriageOptions options) => ReportDirectory.Prepare(options.OutputDirectory, options.Force);

    public GcTriageReport Run(CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        ReportDirectory folder = PrepareOutput(_options);
        var report = new GcTriageReport
        {
            StartedAt = DateTime.UtcNow,
            ToolVersion = _options.ToolVersion,
            HostName = Environment.MachineName,
            OutputDirectory = folder.Path,
        };

        DumpSession? owned = null;
        string? captured = null;
        try
        {
            DumpSession? session = _options.Dump;
            if (_options.ProcessId is int pid)
            {
                report.ProcessId = pid;
                report.Target = $"process {pid}";
                report.DurationSeconds = _options.Duration.TotalSeconds;
                report.PauseThresholdMs = _options.PauseThresholdMs;
                string? dumpPath = RunProcessParts(report, pid, folder, cancellationToken, progress);
                captured = dumpPath;
                if (dumpPath is not null)
                {
                    owned = OpenDump(report, dumpPath);
                    session = owned;
                }
            }
            else if (session is null)
            {
                report.Target = _options.DumpPath!;
                owned = OpenDump(report, _options.DumpPath!);
                session = owned;
            }
            else
            {
                report.Target = session.Path;
            }

            if (session is not null)
            {
                report.DumpPath = session.Path;
                // Under one lease for all the dump parts: a Close-GcDump elsewhere cancels them (DumpClosed) and cannot
                // release the DAC while a part still reads through it.
                session.Read(cancellationToken, ct =>
                {
                    RunDumpParts(report, session, ct, progress);
                    return true;
                });
            }
        }
        finally
        {
            owned?.Dispose();
            if (captured is not null && _options.RemoveCapturedDump)
            {
                RemoveDump(report, captured);
            }
        }

        TriageAnalyzer.Analyze(report, _findings, _causes);
        report.EndedAt = DateTime.UtcNow;
        report.Errors = _errors.ToList();
        progress?.Report(new GcProgress("Triage", "Writing the report", 95));
        TriageReportWriter.Write(report, folder);
        return report;
    }

    /// <summary>Settings, pauses and the dump capture. Returns the path of the captured dump, or null.</summary>
    private string? RunProcessParts(GcTriageReport report, int pid, ReportDirectory folder, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        DiagnosticsChannel.Open(pid, cancellationToken);
        report.ProcessName = ProcessProbe.ProcessName(pid);
        report.ApplicationName = ProcessCatalog.ApplicationName(report.ProcessName, ProcessCatalog.CommandLine(pid));
        if (report.ApplicationName is not null)
        {
            // The name a person knows the service by ("IncidentService", not "dotnet"), then the pid.
            report.Target = $"{report.ApplicationName} (process {pid})";
        }

        bool thresholdReached = false;
        bool pausesKnown = false;
        // Settings and pauses join here as their Core readers land (see TriageParts).
        TriageParts.RunProcessParts(this, report, pid, cancellationToken, progress, ref pausesKnown, ref thresholdReached);

        switch (_options.CaptureDump)
        {
            case GcCaptureDumpMode.Never:
                report.CaptureStatus = "Never";
                return null;
            case GcCaptureDumpMode.OnThreshold when !thresholdReached:
                report.CaptureStatus = pausesKnown
                    ? $"Skipped: no pause reached {TriageAnalyzer.Ms(_options.PauseThresholdMs)}"
                    : "Skipped: no pause data to compare with the threshold";
                return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new GcProgress("Triage", $"Capturing a dump of process {pid}", 50));
        string name = $"{(report.ApplicationName ?? "process")}-{pid}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.dmp";
        try
        {
            FileInfo dump = DumpWriter.Write(pid, folder.FilePath(name), GcDumpType.Heap, force: _options.Force, cancellationToken);
            report.CaptureStatus = "Captured";
            return dump.FullName;
        }
        catch (GcTriageException e)
        {
            report.CaptureStatus = "Failed";
            AddError("Dump", e);
            return null;
        }
    }

    /// <summary>Deletes the dump this run captured, once read: the report then names no file that is not there.</summary>
    private void RemoveDump(GcTriageReport report, string path)
    {
        try
        {
            File.Delete(path);
            report.DumpPath = null;
            report.CaptureStatus = $"Captured, read, then deleted ({System.IO.Path.GetFileName(path)})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AddError("Dump", new GcTriageException(ErrorCatalog.DumpNotRemoved, GcErrorKind.WriteError, $"The captured dump '{path}' could not be deleted: {e.Message}", path, e));
        }
    }

    private DumpSession? OpenDump(GcTriageReport report, string path)
    {
        try
        {
            return DumpSession.Open(path, _options.DumpOpenOptions);
        }
        catch (GcTriageException e) when (_options.ProcessId is not null)
        {
            // A dump this run captured and cannot read: the process parts stand.
            report.DumpPath = path;
            AddError("Dump", e);
            return null;
        }
    }

    private void RunDumpParts(GcTriageReport report, DumpSession session, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        report.RuntimeVersion = session.RuntimeVersion;
        report.GcMode = session.GcMode;
        report.HeapCount = session.HeapCount;

        Part("HeapStat", () =>
        {
            IReadOnlyList<GcTypeStat> stats = HeapQueries.GetTypeStats(session, new HeapQuery(), cancellationToken, progress);
            report.ObjectCount = session.ObjectCount;
            report.HeapBytes = stats.Sum(s => s.TotalSize);
            report.FreeBytes = stats.Where(s => s.TypeName == "Free").Sum(s => s.TotalSize);
            report.TopTypes = stats.Where(s => s.TypeName != "Free").Take(_options.Top).ToList();
        }, cancellationToken);

        TriageParts.RunDumpParts(this, report, session, cancellationToken, progress);
    }

    internal TriageOptions Options => _options;

    internal void AddFindings(IEnumerable<GcFinding> findings) => _findings.AddRange(findings);

    internal void AddCause(TriageAnalyzer.Cause cause) => _causes.Add(cause);

    internal void AddError(string part, Exception e) => _errors.Add(new GcTriageError
    {
        Part = part,
        ErrorId = ErrorCatalog.FromException(e).ErrorId,
        Message = e.Message,
    });

    /// <summary>Runs one part; a failure other than cancellation is recorded and the triage goes on.</summary>
    internal void Part(string name, Action work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            work();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            AddError(name, e);
        }
    }
}
