using System.Globalization;
using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// What grew between two heap snapshots, by type: two dumps (paths or open GcDump sessions), or two sets of GcTypeStat rows
/// (also rows read back with Import-Csv). Emits GcTypeDelta sorted by SizeDelta descending; with -Retained, the retained bytes of
/// each type's top-most instances (Get-GcRetained -GroupBy Type rows) instead, as GcRetainedTypeDelta sorted by RetainedBytesDelta.
/// </summary>
[Cmdlet(VerbsData.Compare, "GcHeap", DefaultParameterSetName = DumpSet)]
[OutputType(typeof(GcTypeDelta), typeof(GcRetainedTypeDelta), typeof(GcCollectionDelta))]
public sealed class CompareGcHeapCommand : GcTriageCmdlet
{
    public const string DumpSet = "Dump";
    public const string ObjectSet = "Object";

    private readonly List<GcDump> _owned = new();
    private readonly List<GcTypeStat> _reference = new();
    private readonly List<GcTypeStat> _difference = new();
    private readonly List<GcRetainedTypeStat> _retainedReference = new();
    private readonly List<GcRetainedTypeStat> _retainedDifference = new();
    private long _row;

    /// <summary>The earlier dump: a path, a FileInfo, or an open GcDump.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DumpSet)]
    [SupportsWildcards]
    [ValidateNotNull]
    public object? ReferenceDump { get; set; }

    /// <summary>The later dump: a path, a FileInfo, or an open GcDump.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = DumpSet)]
    [SupportsWildcards]
    [ValidateNotNull]
    public object? DifferenceDump { get; set; }

    /// <summary>
    /// The earlier snapshot: GcTypeStat objects, or rows with TypeName, Count and TotalSize (Import-Csv); with -Retained,
    /// GcRetainedTypeStat objects or rows with TypeName, Count, Size, RetainedBytes and RetainedCount.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ObjectSet)]
    [AllowEmptyCollection]
    public PSObject[] ReferenceObject { get; set; } = Array.Empty<PSObject>();

    /// <summary>The later snapshot; binds from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ObjectSet, ValueFromPipeline = true)]
    [AllowEmptyCollection]
    public PSObject[] DifferenceObject { get; set; } = Array.Empty<PSObject>();

    /// <summary>Only types whose name matches one of these wildcard patterns.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? TypeName { get; set; }

    /// <summary>Compare the retained bytes of each type's top-most instances (Get-GcRetained -GroupBy Type), not its own bytes.</summary>
    [Parameter]
    public SwitchParameter Retained { get; set; }

    /// <summary>Compare only objects reachable from roots (dumps only).</summary>
    [Parameter(ParameterSetName = DumpSet)]
    public SwitchParameter Live { get; set; }

    /// <summary>Time budget for -Live marking of each dump.</summary>
    [Parameter(ParameterSetName = DumpSet)]
    [GcDuration]
    public TimeSpan Timeout { get; set; } = GraphBudget.Default.MaxTime;

    /// <summary>Leave out types whose count and size did not change.</summary>
    [Parameter]
    public SwitchParameter ExcludeUnchanged { get; set; }

    /// <summary>Also compare the largest collections of both dumps, matched by the field path that holds them.</summary>
    [Parameter(ParameterSetName = DumpSet)]
    public SwitchParameter IncludeCollections { get; set; }

    /// <summary>How many of the largest collections of each dump -IncludeCollections matches.</summary>
    [Parameter(ParameterSetName = DumpSet)]
    [ValidateRange(1, 1000)]
    public int CollectionTop { get; set; } = 10;

    /// <summary>The DAC to use for dumps given as paths.</summary>
    [Parameter(ParameterSetName = DumpSet)]
    [ValidateNotNullOrEmpty]
    public string? DacPath { get; set; }

    /// <summary>Folders to search for a DAC, for dumps given as paths.</summary>
    [Parameter(ParameterSetName = DumpSet)]
    public string[]? DacSearchPath { get; set; }

    protected override void BeginProcessing()
    {
        if (Retained && (Live || IncludeCollections))
        {
            ThrowGcError(new GcTriageException(ErrorCatalog.InvalidArgument, GcErrorKind.InvalidArgument,
                "-Retained compares what reachable objects retain (always live, from the dominator tree); it takes neither -Live nor -IncludeCollections.", null));
        }

        if (ParameterSetName == ObjectSet)
        {
            foreach (PSObject o in ReferenceObject)
            {
                AddRow(o, before: true, nameof(ReferenceObject));
            }
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ObjectSet)
        {
            foreach (PSObject o in DifferenceObject)
            {
                AddRow(o, before: false, nameof(DifferenceObject));
            }
        }
    }

    protected override void EndProcessing()
    {
        if (Retained)
        {
            CompareRetained();
            return;
        }

        IReadOnlyList<GcTypeDelta> deltas;
        if (ParameterSetName == ObjectSet)
        {
            deltas = HeapDiff.Compare(_reference, _difference, TypeName);
        }
        else
        {
            if (!ResolveBoth(out DumpSession before, out DumpSession after))
            {
                return;
            }

            var query = new HeapQuery
            {
                TypeName = TypeName ?? Array.Empty<string>(),
                Live = Live,
                Budget = GraphBudget.Default with { MaxTime = Timeout },
            };
            try
            {
                deltas = Run((ct, progress) => HeapDiff.Compare(before, after, query, ct, progress));
            }
            catch (GcTriageException e)
            {
                ThrowGcError(e, e.Target);
                return;
            }

            if (deltas.Any(d => d.Truncated))
            {
                WriteWarning($"Live marking ran out of its budget ({Timeout}); figures are lower bounds (Truncated = True).");
            }

            if (IncludeCollections)
            {
                WriteDeltas(deltas);
                IReadOnlyList<GcCollectionDelta> collections;
                try
                {
                    collections = Run((ct, progress) => CollectionDiff.Compare(before, after, CollectionTop, GraphBudget.Default with { MaxTime = Timeout }, ct, progress));
                }
                catch (GcTriageException e)
                {
                    ThrowGcError(e, e.Target);
                    return;
                }

                foreach (GcCollectionDelta c in collections)
                {
                    if (!ExcludeUnchanged || c.CountDelta != 0 || c.BytesDelta != 0)
                    {
                        WriteObject(c);
                    }
                }

                return;
            }
        }

        WriteDeltas(deltas);
    }

    private void CompareRetained()
    {
        IReadOnlyList<GcRetainedTypeDelta> deltas;
        if (ParameterSetName == ObjectSet)
        {
            deltas = RetainedDiff.Compare(_retainedReference, _retainedDifference, TypeName);
        }
        else
        {
            if (!ResolveBoth(out DumpSession before, out DumpSession after))
            {
                return;
            }

            string[] types = TypeName ?? Array.Empty<string>();
            try
            {
                deltas = Run((ct, progress) => RetainedDiff.Compare(before, after, types, ct, progress));
            }
            catch (GcTriageException e)
            {
                ThrowGcError(e, e.Target);
                return;
            }
        }

        foreach (GcRetainedTypeDelta d in deltas)
        {
            if (!ExcludeUnchanged || d.CountDelta != 0 || d.SizeDelta != 0 || d.RetainedBytesDelta != 0 || d.RetainedCountDelta != 0)
            {
                WriteObject(d);
            }
        }
    }

    private void WriteDeltas(IReadOnlyList<GcTypeDelta> deltas)
    {
        foreach (GcTypeDelta d in deltas)
        {
            if (ExcludeUnchanged && d.CountDelta == 0 && d.SizeDelta == 0)
            {
                continue;
            }

            WriteObject(d);
        }
    }

    protected override void DisposeResources()
    {
        foreach (GcDump session in _owned)
        {
            session.Dispose();
        }

        _owned.Clear();
    }

    /// <summary>Both dumps as sessions; false when a path matched no file (the error is written).</summary>
    private bool ResolveBoth(out DumpSession before, out DumpSession after)
    {
        DumpSession? b = Resolve(ReferenceDump!, nameof(ReferenceDump));
        DumpSession? a = b is null ? null : Resolve(DifferenceDump!, nameof(DifferenceDump));
        before = b!;
        after = a!;
        return b is not null && a is not null;
    }

    private DumpSession? Resolve(object value, string parameter)
    {
        object target = value is PSObject pso ? pso.BaseObject : value;
        switch (target)
        {
            case GcDump dump:
                if (!dump.IsOpen)
                {
                    ThrowGcError(new DumpClosedException(dump.Path), dump);
                }

                return (DumpSession)dump;
            case FileSystemInfo file:
                return Open(file.FullName);
            case string path when path.Length > 0:
                var resolved = PathResolver.ResolveInputs(this, new[] { path }, literal: false).ToList();
                if (resolved.Count > 1)
                {
                    ThrowGcError(new GcTriageException(ErrorCatalog.AmbiguousDumpPath, GcErrorKind.InvalidArgument,
                        $"-{parameter} '{path}' matches {resolved.Count} files; give one dump.", path));
                }

                return resolved.Count == 0 ? null : Open(resolved[0]);
            default:
                ThrowGcError(new GcTriageException(ErrorCatalog.InvalidArgument, GcErrorKind.InvalidArgument,
                    $"-{parameter} takes a dump path or an open GcDump, not {target.GetType().FullName}.", target));
                return null;
        }
    }

    private DumpSession? Open(string file)
    {
        if (OpenDumps.Find(file) is DumpSession open)
        {
            return open;
        }

        GcDump? session = DumpPaths.Open(this, file, DacPath, DacSearchPath);
        if (session is null)
        {
            return null;
        }

        _owned.Add(session);
        return (DumpSession)session;
    }

    private void AddRow(PSObject? row, bool before, string parameter)
    {
        _row++;
        if (row is null)
        {
            return;
        }

        if (Retained)
        {
            AddRow(before ? _retainedReference : _retainedDifference, row, parameter, ReadRetainedRow);
        }
        else
        {
            AddRow(before ? _reference : _difference, row, parameter, ReadTypeStatRow);
        }
    }

    /// <summary>The object itself when it is one, else read from the row's columns; a row that cannot be read is its own error.</summary>
    private void AddRow<T>(List<T> rows, PSObject row, string parameter, Func<PSObject, T> read)
    {
        if (row.BaseObject is T stat)
        {
            rows.Add(stat);
            return;
        }

        try
        {
            rows.Add(read(row));
        }
        catch (FormatException e)
        {
            WriteGcError(new GcTriageException(ErrorCatalog.InvalidTypeStatRow, GcErrorKind.InvalidData, $"-{parameter} row {_row}: {e.Message}", row, e), row);
        }
    }

    private static GcTypeStat ReadTypeStatRow(PSObject row)
    {
        // A CSV the module wrote guards names against formula injection; take the guard off again (exact round trip).
        string typeName = CsvCell.Unguard(ReadString(row, nameof(GcTypeStat.TypeName)));
        return new GcTypeStat
        {
            TypeName = typeName,
            Count = ReadLong(row, nameof(GcTypeStat.Count)),
            TotalSize = ReadLong(row, nameof(GcTypeStat.TotalSize)),
            Live = ReadBool(row, nameof(GcTypeStat.Live)),
            Truncated = ReadBool(row, nameof(GcTypeStat.Truncated)),
        };
    }

    private static GcRetainedTypeStat ReadRetainedRow(PSObject row) => new()
    {
        TypeName = CsvCell.Unguard(ReadString(row, nameof(GcRetainedTypeStat.TypeName), RetainedColumns)),
        Count = ReadLong(row, nameof(GcRetainedTypeStat.Count), RetainedColumns),
        Size = ReadLong(row, nameof(GcRetainedTypeStat.Size), RetainedColumns),
        RetainedBytes = ReadLong(row, nameof(GcRetainedTypeStat.RetainedBytes), RetainedColumns),
        RetainedCount = ReadLong(row, nameof(GcRetainedTypeStat.RetainedCount), RetainedColumns),
    };

    private const string TypeStatColumns = "rows need TypeName, Count and TotalSize, as Get-GcHeapStat | Export-Csv writes them";
    private const string RetainedColumns = "with -Retained, rows need TypeName, Count, Size, RetainedBytes and RetainedCount, as Get-GcRetained -GroupBy Type | Export-Csv writes them";

    private static string ReadString(PSObject row, string name, string columns = TypeStatColumns)
    {
        object? value = row.Properties[name]?.Value;
        string? s = value is PSObject p ? p.BaseObject?.ToString() : value?.ToString();
        if (string.IsNullOrEmpty(s))
        {
            throw new FormatException($"it has no {name} ({columns})");
        }

        return s;
    }

    private static long ReadLong(PSObject row, string name, string columns = TypeStatColumns)
    {
        object? value = row.Properties[name]?.Value;
        if (value is PSObject p)
        {
            value = p.BaseObject;
        }

        switch (value)
        {
            case null:
                throw new FormatException($"it has no {name} ({columns})");
            case long l:
                return l;
            case int or short or byte or uint or ushort or sbyte:
                return Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case ulong u when u <= long.MaxValue:
                return (long)u;
            case double or float or decimal:
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (d != Math.Floor(d) || d < long.MinValue || d > long.MaxValue)
                {
                    throw new FormatException($"{name} '{d.ToString(CultureInfo.InvariantCulture)}' is not a whole number");
                }

                return (long)d;
            default:
                string s = value.ToString()!.Trim();
                if (long.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out long parsed))
                {
                    return parsed;
                }

                throw new FormatException($"{name} '{s}' is not a whole number (culture-invariant digits)");
        }
    }

    private static bool ReadBool(PSObject row, string name)
    {
        object? value = row.Properties[name]?.Value;
        if (value is PSObject p)
        {
            value = p.BaseObject;
        }

        return value switch
        {
            bool b => b,
            string s => bool.TryParse(s.Trim(), out bool b) && b,
            _ => false,
        };
    }
}
