using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>Writes a dump of a live .NET process through its diagnostics channel; the file is readable by its owner only.</summary>
[Cmdlet(VerbsData.Save, "GcDump", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class SaveGcDumpCommand : GcTriageCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public int ProcessId { get; set; }

    /// <summary>The dump file; a folder gets a file named dump_&lt;pid&gt;_&lt;time&gt;.dmp inside it.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    public GcDumpType Type { get; set; } = GcDumpType.Heap;

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string target = GetUnresolvedProviderPathFromPSPath(Path);
        if (Directory.Exists(target))
        {
            target = System.IO.Path.Combine(target, $"dump_{ProcessId}_{DateTime.UtcNow:yyyyMMdd_HHmmss}.dmp");
        }

        if (!ShouldProcess($"process {ProcessId}", $"Write a {Type} dump to {target}"))
        {
            return;
        }

        try
        {
            FileInfo file = Run((ct, progress) =>
            {
                progress.Report(new GcProgress("Writing dump", $"process {ProcessId} to {target}", -1));
                return DumpWriter.Write(ProcessId, target, Type, Force, ct);
            });
            WriteObject(file);
        }
        catch (GcTriageException e)
        {
            WriteGcError(e, ProcessId);
        }
    }
}
