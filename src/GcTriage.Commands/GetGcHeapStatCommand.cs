using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>Counts and sizes by type, with bytes per generation, largest first (SOS dumpheap -stat, with generations).</summary>
[Cmdlet(VerbsCommon.Get, "GcHeapStat", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcTypeStat))]
public sealed class GetGcHeapStatCommand : DumpCmdlet
{
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? TypeName { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    [Parameter]
    public GcGeneration[]? Generation { get; set; }

    /// <summary>Only objects reachable from roots.</summary>
    [Parameter]
    public SwitchParameter Live { get; set; }

    /// <summary>Time budget for -Live marking; when it runs out, rows say Truncated.</summary>
    [Parameter]
    [GcDuration]
    public TimeSpan Timeout { get; set; } = GraphBudget.Default.MaxTime;

    protected override void ProcessDump(DumpSession session)
    {
        var query = new HeapQuery
        {
            TypeName = TypeName ?? Array.Empty<string>(),
            Generation = Generation ?? Array.Empty<GcGeneration>(),
            Live = Live,
            Budget = GraphBudget.Default with { MaxTime = Timeout },
        };
        IReadOnlyList<GcTypeStat> stats = Run((ct, progress) => HeapQueries.GetTypeStats(session, query, ct, progress));
        if (stats.Count > 0 && stats[0].Truncated)
        {
            WriteWarning($"Live marking ran out of its budget ({Timeout}); counts are a lower bound (Truncated = True).");
        }

        foreach (GcTypeStat stat in Top > 0 ? stats.Take(Top) : stats)
        {
            WriteObject(stat);
        }
    }
}

/// <summary>Objects on the heap by type, size and generation, or the one at an address (SOS dumpheap -type / -min).</summary>
[Cmdlet(VerbsCommon.Get, "GcObject", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcObjectInfo))]
public sealed class GetGcObjectCommand : DumpCmdlet
{
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? TypeName { get; set; }

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MinSize { get; set; }

    [Parameter]
    public GcGeneration[]? Generation { get; set; }

    /// <summary>The object at these addresses (accepts 0x-prefixed hex strings from CSV).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public ulong[]? Address { get; set; }

    [Parameter]
    public SwitchParameter Live { get; set; }

    /// <summary>Lists the heap's free blocks too (type "Free": space between objects, not objects); also when -TypeName names Free.</summary>
    [Parameter]
    public SwitchParameter IncludeFree { get; set; }

    [Parameter]
    [GcDuration]
    public TimeSpan Timeout { get; set; } = GraphBudget.Default.MaxTime;

    protected override void ProcessDump(DumpSession session)
    {
        if (Address is { Length: > 0 })
        {
            foreach (ulong address in Address)
            {
                try
                {
                    WriteObject(Run((ct, progress) => HeapQueries.GetObject(session, address, false, ct, progress)));
                }
                catch (InvalidAddressException e)
                {
                    WriteGcError(e, address);
                }
            }

            return;
        }

        var query = new HeapQuery
        {
            TypeName = TypeName ?? Array.Empty<string>(),
            Generation = Generation ?? Array.Empty<GcGeneration>(),
            MinSize = MinSize,
            Live = Live,
            IncludeFree = IncludeFree || (TypeName ?? Array.Empty<string>()).Any(t => string.Equals(t, "Free", StringComparison.OrdinalIgnoreCase)),
            Budget = GraphBudget.Default with { MaxTime = Timeout },
        };
        Pump<GcObjectInfo>((ct, emit, progress) =>
        {
            foreach (GcObjectInfo o in HeapQueries.GetObjects(session, query, ct, progress))
            {
                emit(o);
            }
        });
    }
}
