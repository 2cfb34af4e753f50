using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>Filters for Get-GcHandle.</summary>
public sealed class HandleQuery
{
    /// <summary>Only these kinds. Empty: all.</summary>
    public IReadOnlyList<GcHandleKind> Kind { get; init; } = Array.Empty<GcHandleKind>();
    /// <summary>Target type name patterns (wildcards). Empty: all.</summary>
    public IReadOnlyList<string> TypeName { get; init; } = Array.Empty<string>();
}

/// <summary>
/// GC handles from the runtime's handle table (ClrMD EnumerateHandles; no heap walk): counts and target bytes by kind and target type,
/// as SOS gchandles -stat counts them (a dependent handle counts its primary object), or each handle with its target.
/// </summary>
public static class HandleAnalyzer
{
    public const string NullTarget = "(null)";

    /// <summary>One row per (kind, target type), largest TargetBytes first.</summary>
    public static IReadOnlyList<GcHandleStat> GetStats(DumpSession session, HandleQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null) =>
        session.Read(cancellationToken, ct => GetStatsLeased(session, query, ct, progress));

    private static IReadOnlyList<GcHandleStat> GetStatsLeased(DumpSession session, HandleQuery query, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        var groups = new Dictionary<(GcHandleKind, string, ulong), long[]>();
        foreach (GcHandleInfo h in EnumerateHandles(session, query, cancellationToken, progress))
        {
            if (!groups.TryGetValue((h.Kind, h.TypeName, h.MethodTable), out long[]? acc))
            {
                acc = new long[7];
                groups.Add((h.Kind, h.TypeName, h.MethodTable), acc);
            }

            acc[0]++;
            acc[1] += h.Size;
            int g = (int)h.Generation;
            if (g <= (int)GcGeneration.POH && h.Address != 0)
            {
                acc[2 + g]++;
            }
        }

        return groups
            .Select(kv => new GcHandleStat
            {
                Kind = kv.Key.Item1,
                TypeName = kv.Key.Item2,
                MethodTable = kv.Key.Item3,
                Count = kv.Value[0],
                TargetBytes = kv.Value[1],
                Gen0Count = kv.Value[2],
                Gen1Count = kv.Value[3],
                Gen2Count = kv.Value[4],
                LohCount = kv.Value[5],
                PohCount = kv.Value[6],
                DumpPath = session.Path,
            })
            .OrderByDescending(s => s.TargetBytes)
            .ThenByDescending(s => s.Count)
            .ThenBy(s => s.Kind)
            .ThenBy(s => s.TypeName, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Every handle with its target, in handle-table order (read under the session's lease, then handed out).</summary>
    public static IEnumerable<GcHandleInfo> GetHandles(DumpSession session, HandleQuery query, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null) =>
        session.Read(cancellationToken, ct => EnumerateHandles(session, query, ct, progress).ToList());

    private static IEnumerable<GcHandleInfo> EnumerateHandles(DumpSession session, HandleQuery query, CancellationToken cancellationToken, IProgress<GcProgress>? progress)
    {
        ClrRuntime runtime = session.Runtime;
        ClrHeap heap = runtime.Heap;
        var kinds = query.Kind.Count == 0 ? null : new HashSet<GcHandleKind>(query.Kind);
        Wildcard[] patterns = query.TypeName.Select(p => new Wildcard(p)).ToArray();
        progress?.Report(new GcProgress("Reading GC handles", "handle table", -1));
        long n = 0;
        foreach (ClrHandle handle in runtime.EnumerateHandles())
        {
            if ((++n & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new GcProgress("Reading GC handles", $"{n:N0} handles", -1));
            }

            GcHandleKind kind = HandleKinds.From(handle.HandleKind);
            if (kinds is not null && !kinds.Contains(kind))
            {
                continue;
            }

            ClrObject target = handle.Object;
            string typeName = target.Address == 0 ? NullTarget : target.Type?.Name ?? $"<unknown type at 0x{target.Address:x}>";
            if (patterns.Length > 0 && !patterns.Any(p => p.IsMatch(typeName)))
            {
                continue;
            }

            ClrObject dependent = kind == GcHandleKind.Dependent ? handle.Dependent : default;
            yield return new GcHandleInfo
            {
                HandleAddress = handle.Address,
                Kind = kind,
                Address = target.Address,
                TypeName = typeName,
                MethodTable = target.Address == 0 ? 0 : target.Type?.MethodTable ?? 0,
                Size = target.Address == 0 || target.Type is null ? 0 : (long)target.Size,
                Generation = HandleKinds.GenerationOf(heap, target.Address),
                DependentAddress = kind == GcHandleKind.Dependent ? dependent.Address : null,
                DependentTypeName = kind == GcHandleKind.Dependent && dependent.Address != 0 ? dependent.Type?.Name : null,
                ReferenceCount = kind == GcHandleKind.RefCounted ? handle.ReferenceCount : null,
                DumpPath = session.Path,
            };
        }
    }
}
