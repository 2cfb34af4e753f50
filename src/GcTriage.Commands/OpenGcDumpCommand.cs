using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>Opens a dump for analysis: finds its DAC offline and returns a GcDump session that later commands reuse.</summary>
[Cmdlet(VerbsCommon.Open, "GcDump", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcDump))]
public sealed class OpenGcDumpCommand : GcTriageCmdlet
{
    public const string PathSet = "Path";
    public const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DacPath { get; set; }

    [Parameter]
    public string[]? DacSearchPath { get; set; }

    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string file in PathResolver.ResolveInputs(this, literal ? LiteralPath : Path, literal))
        {
            GcDump? session = DumpPaths.Open(this, file, DacPath, DacSearchPath);
            if (session is not null)
            {
                OpenDumps.Add(session);
                WriteObject(session);
            }
        }
    }
}

/// <summary>Closes dump sessions: releases the file and the memory of the heap index.</summary>
[Cmdlet(VerbsCommon.Close, "GcDump", DefaultParameterSetName = DumpSet)]
[OutputType(typeof(void))]
public sealed class CloseGcDumpCommand : GcTriageCmdlet
{
    public const string DumpSet = "Dump";
    public const string PathSet = "Path";
    public const string LiteralPathSet = "LiteralPath";
    public const string AllSet = "All";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = DumpSet)]
    public GcDump[] Dump { get; set; } = Array.Empty<GcDump>();

    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        IEnumerable<GcDump> sessions = ParameterSetName switch
        {
            DumpSet => Dump,
            PathSet => PathResolver.ResolveInputs(this, Path, literal: false).Select(p => OpenDumps.Find(p, includeLent: false)).OfType<GcDump>(),
            LiteralPathSet => PathResolver.ResolveInputs(this, LiteralPath, literal: true).Select(p => OpenDumps.Find(p, includeLent: false)).OfType<GcDump>(),
            _ => AllOpen(),
        };

        foreach (GcDump session in sessions.ToList())
        {
            OpenDumps.Remove(session);
            session.Dispose();
            WriteVerbose($"Closed {session.Path}");
        }
    }

    private static IEnumerable<GcDump> AllOpen()
    {
        var all = new List<GcDump>();
        GcDump? s;
        while ((s = OpenDumps.TakeAny()) is not null)
        {
            all.Add(s);
        }

        return all;
    }
}
