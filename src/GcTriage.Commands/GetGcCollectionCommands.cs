using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>Every Dictionary, HashSet, ConcurrentDictionary and Hashtable on the heap: fill, waste, key range, and what it would cost as a HashSet or a BitArray.</summary>
[Cmdlet(VerbsCommon.Get, "GcDictionary", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcCollectionInfo))]
public sealed class GetGcDictionaryCommand : DumpCmdlet
{
    /// <summary>Only the N largest (by ShallowBytes).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MinCount { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? KeyType { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? ValueType { get; set; }

    /// <summary>Dictionary, HashSet, ConcurrentDictionary, Hashtable.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Kind { get; set; }

    [Parameter]
    public SwitchParameter Live { get; set; }

    /// <summary>Compute RetainedBytes also for collections whose entries hold references, exactly, from the session's dominator tree.</summary>
    [Parameter]
    public SwitchParameter Retained { get; set; }

    /// <summary>Time budget for -Live; when it runs out, rows say Truncated (-Retained has none).</summary>
    [Parameter]
    [GcDuration]
    public TimeSpan Timeout { get; set; } = GraphBudget.Default.MaxTime;

    protected override void ProcessDump(DumpSession session)
    {
        var query = new CollectionQuery
        {
            Kind = Kind ?? Array.Empty<string>(),
            KeyType = KeyType ?? Array.Empty<string>(),
            ValueType = ValueType ?? Array.Empty<string>(),
            MinCount = MinCount,
            Live = Live,
            Retained = Retained,
            Budget = GraphBudget.Default with { MaxTime = Timeout },
        };
        var unreadable = new System.Collections.Concurrent.ConcurrentQueue<GcTriageException>();
        IReadOnlyList<GcCollectionInfo> rows = Run((ct, progress) => CollectionInspector.GetCollections(session, query, ct, progress, unreadable.Enqueue));
        foreach (GcTriageException e in unreadable)
        {
            WriteGcError(e, e.Target);
        }

        if (rows.Any(r => r.Truncated))
        {
            WriteWarning($"The graph budget ({Timeout}) ran out: rows with Truncated = True have lower-bound figures.");
        }

        foreach (GcCollectionInfo row in Top > 0 ? rows.Take(Top) : rows)
        {
            foreach (string problem in row.Problems)
            {
                WriteVerbose($"0x{row.Address:x} {row.TypeName}: {problem}");
            }

            WriteObject(row);
        }
    }
}

/// <summary>Every BitArray, and every bool[] of at least -MinLength elements: bits set, density, and the bytes a bool[] would take as a BitArray.</summary>
[Cmdlet(VerbsCommon.Get, "GcBitset", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcBitsetInfo))]
public sealed class GetGcBitsetCommand : DumpCmdlet
{
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    /// <summary>bool[] shorter than this are left out (default 1,024).</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MinLength { get; set; } = BitsetInspector.DefaultMinLength;

    [Parameter]
    public SwitchParameter Live { get; set; }

    [Parameter]
    [GcDuration]
    public TimeSpan Timeout { get; set; } = GraphBudget.Default.MaxTime;

    protected override void ProcessDump(DumpSession session)
    {
        var query = new BitsetQuery { MinLength = MinLength, Live = Live, Budget = GraphBudget.Default with { MaxTime = Timeout } };
        IReadOnlyList<GcBitsetInfo> rows = Run((ct, progress) => BitsetInspector.GetBitsets(session, query, ct, progress));
        foreach (GcBitsetInfo row in Top > 0 ? rows.Take(Top) : rows)
        {
            WriteObject(row);
        }
    }
}

/// <summary>Why an object is alive: the paths from GC roots to it, shortest first (SOS gcroot, with static fields named).</summary>
[Cmdlet(VerbsCommon.Get, "GcRoot", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GcRootPath))]
public sealed class GetGcRootCommand : DumpCmdlet
{
    /// <summary>Object addresses; binds Address from Get-GcObject, Get-GcDictionary and Get-GcBitset.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public ulong[] Address { get; set; } = Array.Empty<ulong>();

    /// <summary>Paths per object at most (default 3).</summary>
    [Parameter]
    [ValidateRange(1, 10_000)]
    public int MaxPaths { get; set; } = RootFinder.DefaultMaxPaths;

    /// <summary>Time budget per object; when it runs out the result says Truncated.</summary>
    [Parameter]
    [GcDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Objects searched per address at most.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxNodes { get; set; } = GraphBudget.Default.MaxNodes;

    protected override void ProcessDump(DumpSession session)
    {
        var query = new RootQuery { MaxPaths = MaxPaths, Budget = new GraphBudget(MaxNodes, Timeout) };
        foreach (ulong address in Address)
        {
            if (!TryRunAt(address, (ct, progress) => RootFinder.FindPaths(session, address, query, ct, progress), out var result))
            {
                continue;
            }

            foreach (GcRootPath path in result.Paths)
            {
                WriteObject(path);
            }

            if (result.Unreachable)
            {
                WriteWarning($"0x{address:x} ({result.TypeName}) is not reachable from any root: it is garbage that the next GC of its generation frees.");
            }
            else if (result.Truncated)
            {
                WriteWarning(result.Paths.Count == 0
                    ? $"0x{address:x} ({result.TypeName}): the search ran out of its budget ({result.Visited:N0} objects, -Timeout {Timeout}) before finding a path; the object may still be rooted."
                    : $"0x{address:x} ({result.TypeName}): the search ran out of its budget ({result.Visited:N0} objects); other paths may exist.");
                if (result.Paths.Count == 0)
                {
                    WriteObject(new GcRootPath
                    {
                        Address = address,
                        TypeName = result.TypeName,
                        RootKind = "Unknown",
                        RootName = "(search budget exhausted before a path was found)",
                        Depth = -1,
                        Truncated = true,
                        DumpPath = session.Path,
                    });
                }
            }
        }
    }
}
