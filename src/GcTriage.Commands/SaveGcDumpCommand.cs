using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>Writes a dump of a live .NET process through its diagnostics channel; the file is readable by its owner only.</summary>
[Cmdlet(VerbsData.Save, "GcDump", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class SaveGcDumpCommand : GcTriageCmdlet
{
    public const string PathSet = "Path";
    public const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public int ProcessId { get; set; }

    /// <summary>The dump file; a folder gets a file named dump_&lt;pid&gt;_&lt;time&gt;.dmp inside it; a wildcard must match one item.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The dump file or folder, taken as written (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    [Parameter]
    public GcDumpType Type { get; set; } = GcDumpType.Heap;

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string target;
        try
        {
            target = ParameterSetName == LiteralPathSet ? PathResolver.ResolveOne(this, LiteralPath, literal: true) : PathResolver.ResolveOne(this, Path, literal: false);
        }
        catch (GcTriageException e)
        {
            WriteGcError(e, Path);
            return;
        }

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
