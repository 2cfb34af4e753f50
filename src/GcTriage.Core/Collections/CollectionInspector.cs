namespace GcTriage.Core;

/// <summary>Filters for the collection census.</summary>
public sealed class CollectionQuery
{
    /// <summary>Dictionary, HashSet, ConcurrentDictionary, Hashtable (wildcards). Empty: all.</summary>
    public IReadOnlyList<string> Kind { get; init; } = Array.Empty<string>();
    /// <summary>Key type name patterns, matched against the full name (System.Int64) and the short one (Int64).</summary>
    public IReadOnlyList<string> KeyType { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> ValueType { get; init; } = Array.Empty<string>();
    public long MinCount { get; init; }
    /// <summary>Only instances reachable from roots.</summary>
    public bool Live { get; init; }
    /// <summary>Compute RetainedBytes for collections whose entries hold references (one extra pass over the heap's references).</summary>
    public bool Retained { get; init; }
    public GraphBudget Budget { get; init; } = GraphBudget.Default;
}

/// <summary>Every hash collection on the heap, found through the heap index (no second heap walk), largest first.</summary>
public static class CollectionInspector
{
    /// <summary>
    /// Every collection that matches, under a lease of the session (<see cref="DumpSession.Read"/>): Close-GcDump cancels it
    /// and waits for it. One whose fields cannot be read (damaged, inconsistent: an <c>_entries</c> that points at itself)
    /// goes to <paramref name="onItemError"/> as CollectionUnreadable and the census goes on; without a handler the first
    /// such error is thrown.
    /// </summary>
    public static IReadOnlyList<GcCollectionInfo> GetCollections(DumpSession session, CollectionQuery query, CancellationToken cancellationToken = default,
        IProgress<GcProgress>? progress = null, Action<GcTriageException>? onItemError = null) =>
        session.Read(cancellationToken, ct => GetCollectionsLeased(session, query, ct, progress, onItemError));

    private static IReadOnlyList<GcCollectionInfo> GetCollectionsLeased(DumpSession session, CollectionQuery query, CancellationToken cancellationToken,
        IProgress<GcProgress>? progress, Action<GcTriageException>? onItemError)
    {
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        LiveSet? live = query.Live ? session.GetLiveSet(query.Budget, cancellationToken, progress) : null;
        var reader = new CollectionReader(session.Runtime, index);
        var kinds = new Wildcard[query.Kind.Count];
        for (int i = 0; i < kinds.Length; i++)
        {
            kinds[i] = new Wildcard(query.Kind[i]);
        }

        var kindOfType = new string?[index.Types.Count];
        for (int t = 0; t < kindOfType.Length; t++)
        {
            string? kind = reader.KindOf(index.Types[t].Name);
            if (kind is not null && (kinds.Length == 0 || kinds.Any(w => w.IsMatch(kind))))
            {
                kindOfType[t] = kind;
            }
        }

        var candidates = new List<(ulong Address, string Kind)>();
        index.ForEach((i, e) =>
        {
            string? kind = kindOfType[e.TypeId];
            if (kind is not null && (live is null || live.IsLive(i)))
            {
                candidates.Add((e.Address, kind));
            }
        }, cancellationToken);

        var keyTypes = query.KeyType.Select(p => new Wildcard(p)).ToArray();
        var valueTypes = query.ValueType.Select(p => new Wildcard(p)).ToArray();
        var result = new List<GcCollectionInfo>();
        for (int c = 0; c < candidates.Count; c++)
        {
            if ((c & 63) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new GcProgress("Reading collections", $"{c:N0} of {candidates.Count:N0}", 100 * c / Math.Max(1, candidates.Count)));
            }

            var (address, kind) = candidates[c];
            GcCollectionInfo info;
            try
            {
                info = reader.Read(address, kind, session.Path, cancellationToken);
            }
            catch (Exception e) when (onItemError is not null && e is not (OperationCanceledException or OutOfMemoryException or DumpClosedException))
            {
                onItemError(Unreadable(address, kind, e));
                continue;
            }

            if (info.Count < query.MinCount || !Matches(keyTypes, info.KeyType) || !Matches(valueTypes, info.ValueType))
            {
                continue;
            }

            result.Add(query.Live ? With(info, live: true, truncated: live!.Truncated) : info);
        }

        if (query.Retained && result.Any(r => r.RetainedBytes is null))
        {
            result = RetainedSizer.Fill(session, index, result, cancellationToken, progress);
        }

        result.Sort((a, b) => b.ShallowBytes != a.ShallowBytes ? b.ShallowBytes.CompareTo(a.ShallowBytes) : a.Address.CompareTo(b.Address));
        return result;
    }

    /// <summary>One collection at an address (it must be one of the kinds this module reads).</summary>
    public static GcCollectionInfo GetCollection(DumpSession session, ulong address, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null) =>
        session.Read(cancellationToken, ct => GetCollectionLeased(session, address, ct, progress));

    private static GcCollectionInfo GetCollectionLeased(DumpSession session, ulong address, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        HeapIndex index = session.GetIndex(cancellationToken, progress);
        long i = HeapQueries.IndexOrThrow(index, address);
        var reader = new CollectionReader(session.Runtime, index);
        string typeName = index.Types[index.EntryAt(i).TypeId].Name;
        string kind = reader.KindOf(typeName) ?? throw new InvalidAddressException(address, $"it is a {typeName}, not a Dictionary, HashSet, ConcurrentDictionary or Hashtable");
        return reader.Read(address, kind, session.Path, cancellationToken);
    }

    private static GcTriageException Unreadable(ulong address, string kind, Exception e) =>
        e as GcTriageException ?? new GcTriageException(ErrorCatalog.CollectionUnreadable, GcErrorKind.InvalidData,
            $"The {kind} at 0x{address:x} cannot be read: {e.Message}", address, e);

    private static bool Matches(Wildcard[] patterns, string? typeName)
    {
        if (patterns.Length == 0)
        {
            return true;
        }

        if (typeName is null)
        {
            return false;
        }

        string shortName = CollectionAdvisor.ShortName(typeName);
        return patterns.Any(p => p.IsMatch(typeName) || p.IsMatch(shortName));
    }

    internal static GcCollectionInfo With(GcCollectionInfo i, bool live, bool truncated, long? retained = null) => new()
    {
        Address = i.Address,
        Kind = i.Kind,
        TypeName = i.TypeName,
        KeyType = i.KeyType,
        ValueType = i.ValueType,
        HoldsReferences = i.HoldsReferences,
        Count = i.Count,
        Capacity = i.Capacity,
        FreeCount = i.FreeCount,
        FillRatio = i.FillRatio,
        Generation = i.Generation,
        ShallowBytes = i.ShallowBytes,
        WastedBytes = i.WastedBytes,
        RetainedBytes = retained ?? i.RetainedBytes,
        Truncated = truncated || i.Truncated,
        KeyMin = i.KeyMin,
        KeyMax = i.KeyMax,
        Density = i.Density,
        IsSetLike = i.IsSetLike,
        SetValue = i.SetValue,
        Advice = i.Advice,
        Live = live || i.Live,
        Problems = i.Problems,
        DumpPath = i.DumpPath,
    };
}
