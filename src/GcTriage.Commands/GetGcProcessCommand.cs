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
                    ProcessCatalog.EnsureDotNetProcess(id);
                    WriteObject(ProcessCatalog.Describe(id));
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
        foreach (int id in ProcessCatalog.PublishedProcessIds())
        {
            GcProcess process;
            try
            {
                process = ProcessCatalog.Describe(id);
            }
            catch (ProcessNotFoundException)
            {
                continue; // exited since it was listed
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
                WriteError(new ErrorRecord(new ItemNotFoundException($"No .NET process named '{Name[i]}' was found."), ErrorCatalog.ProcessNotFound, ErrorCategory.ObjectNotFound, Name[i]));
            }
        }
    }
}
