using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>The .NET processes reachable over the diagnostics channel (dotnet-counters ps / dotnet-dump ps).</summary>
[Cmdlet(VerbsCommon.Get, "GcProcess", DefaultParameterSetName = NameSet)]
[OutputType(typeof(GcProcess))]
public sealed class GetGcProcessCommand : GcTriageCmdlet
{
    public const string NameSet = "Name";
    public const string IdSet = "Id";

    [Parameter(Position = 0, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public int[] ProcessId { get; set; } = Array.Empty<int>();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (int id in ProcessId)
            {
                try
                {
                    // One probe: the check and the description read the same state of the process.
                    ProcessProbeResult probe = ProcessProbe.Require(id);
                    DiagnosticsChannel.Check(probe, CancellationToken);
                    WriteObject(ProcessCatalog.Describe(probe));
                }
                catch (GcTriageException e)
                {
                    WriteGcError(e, id);
                }
            }

            return;
        }

        var patterns = (Name ?? Array.Empty<string>()).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        var matchedPatterns = new bool[patterns.Length];
        foreach (ProcessProbeResult probe in ProcessCatalog.PublishedProcesses())
        {
            if (CancellationToken.IsCancellationRequested)
            {
                return;
            }

            int id = probe.ProcessId;
            GcProcess process;
            try
            {
                if (!probe.IsStopped)
                {
                    DiagnosticsChannel.Check(probe, CancellationToken); // a socket that never answers is left out, not waited for
                }

                process = ProcessCatalog.Describe(probe);
            }
            catch (ProcessNotFoundException)
            {
                continue; // exited since it was listed
            }
            catch (TargetProcessExitedException)
            {
                continue;
            }
            catch (GcTriageException e)
            {
                WriteWarning($"Process {id} is left out: {e.Message}");
                continue;
            }

            if (probe.IsStopped)
            {
                WriteWarning($"Process {id} ({process.Name}) is stopped: listed from /proc only, its runtime was not asked.");
            }

            if (patterns.Length > 0)
            {
                bool any = false;
                for (int i = 0; i < patterns.Length; i++)
                {
                    if (patterns[i].IsMatch(process.Name))
                    {
                        matchedPatterns[i] = any = true;
                    }
                }

                if (!any)
                {
                    continue;
                }
            }

            WriteObject(process);
        }

        for (int i = 0; i < patterns.Length; i++)
        {
            if (!matchedPatterns[i] && !WildcardPattern.ContainsWildcardCharacters(Name![i]))
            {
                WriteGcError(new GcTriageException(ErrorCatalog.ProcessNotFound, GcErrorKind.ObjectNotFound, $"No .NET process named '{Name[i]}' was found.", Name[i]), Name[i]);
            }
        }
    }
}
