using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>How a process's GC is configured and runs, where it runs (cgroup limits), and what looks wrong (Findings).</summary>
[Cmdlet(VerbsCommon.Get, "GcSetting", DefaultParameterSetName = ProcessSet)]
[OutputType(typeof(GcSetting))]
public sealed class GetGcSettingCommand : DumpCmdlet
{
    public const string ProcessSet = "ProcessId";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ProcessSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public int[] ProcessId { get; set; } = Array.Empty<int>();

    /// <summary>Only the configuration (environment, runtimeconfig.json, cgroup): no EventPipe rundown, no read of the GC's memory.</summary>
    [Parameter(ParameterSetName = ProcessSet)]
    public SwitchParameter ConfigurationOnly { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName != ProcessSet)
        {
            base.ProcessRecord();
            return;
        }

        foreach (int id in ProcessId)
        {
            GcSetting setting;
            try
            {
                bool query = !ConfigurationOnly;
                setting = Run((ct, progress) => new GcSettingReader().Read(id, query, ct, progress));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (GcTriageException e)
            {
                WriteGcError(e, id);
                continue;
            }

            foreach (string warning in setting.Warnings)
            {
                WriteWarning($"Process {id}: {warning}");
            }

            WriteObject(setting);
        }
    }

    protected override void ProcessDump(DumpSession session)
    {
        WriteObject(GcSettingReader.FromDump(session));
    }
}
