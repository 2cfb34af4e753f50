using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>Options for opening a dump.</summary>
public sealed class DumpOpenOptions
{
    /// <summary>A DAC to use as is (the way out when nothing else fits).</summary>
    public string? DacPath { get; init; }
    /// <summary>Extra folders to look for a DAC in (GCTRIAGE_DAC_PATH is added to these).</summary>
    public IReadOnlyList<string> DacSearchPath { get; init; } = Array.Empty<string>();
    /// <summary>Receives one line per DAC candidate considered (the cmdlets show them with -Verbose).</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// An open dump. Owns the ClrMD DataTarget and ClrRuntime, and the heap index built by the first walk, which every later
/// question on this session reuses. Thread-safe: one walk at a time, and the index is immutable once built.
/// </summary>
public sealed class DumpSession : GcDump
{
    private readonly DataTarget _dataTarget;
    private readonly ClrRuntime _runtime;
    private readonly SemaphoreSlim _walkLock = new(1, 1);
    private readonly object _liveLock = new();
    private HeapIndex? _index;
    private LiveSet? _live;
    private ReferenceGraph? _graph;
    private RootSet? _roots;
    private DominatorTree? _tree;
    private bool _disposed;

    private DumpSession(string path, DataTarget dataTarget, ClrRuntime runtime, GcDacResolution dac, string? runtimeVersion)
    {
        Path = path;
        _dataTarget = dataTarget;
        _runtime = runtime;
        Dac = dac;
        RuntimeVersion = runtimeVersion;
        OpenedAt = DateTime.UtcNow;
        GcMode = runtime.Heap.IsServer ? "Server" : "Workstation";
        HeapCount = runtime.Heap.SubHeaps.Length;
    }

    public override string Path { get; }
    public override string? RuntimeVersion { get; }
    public override string GcMode { get; }
    public override int HeapCount { get; }
    public override long? ObjectCount => _index?.Count;
    public override GcDacResolution Dac { get; }
    public override bool IsOpen => !_disposed;
    public override DateTime OpenedAt { get; }

    /// <summary>The ClrMD runtime: for Core's own inspectors only; never handed to the cmdlet layer.</summary>
    internal ClrRuntime Runtime
    {
        get
        {
            ThrowIfClosed();
            return _runtime;
        }
    }

    internal ClrHeap Heap => Runtime.Heap;

    /// <summary>True once the heap index exists (a later command will not walk the heap again).</summary>
    public bool IsIndexed => _index is not null;

    public static DumpSession Open(string path, DumpOpenOptions? options = null)
    {
        options ??= new DumpOpenOptions();
        string fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new DumpNotFoundException(fullPath);
        }

        string? truncation;
        try
        {
            truncation = DumpFileCheck.FindTruncation(fullPath);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OverflowException or ArgumentException)
        {
            throw new DumpFormatException(fullPath, e.Message, e);
        }

        if (truncation is not null)
        {
            throw new DumpFormatException(fullPath, truncation);
        }

        DataTarget dataTarget;
        try
        {
            dataTarget = DataTarget.LoadDump(fullPath);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException or ArgumentException or InvalidOperationException
            or IndexOutOfRangeException or OverflowException or EndOfStreamException)
        {
            throw new DumpFormatException(fullPath, e.Message, e);
        }

        try
        {
            return OpenRuntime(fullPath, dataTarget, options);
        }
        catch
        {
            dataTarget.Dispose();
            throw;
        }
    }

    private static DumpSession OpenRuntime(string fullPath, DataTarget dataTarget, DumpOpenOptions options)
    {
        ClrInfo? clr;
        try
        {
            clr = dataTarget.ClrVersions.FirstOrDefault(c => c.Flavor == ClrFlavor.Core) ?? dataTarget.ClrVersions.FirstOrDefault();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or IndexOutOfRangeException or OverflowException or ArgumentException)
        {
            throw new DumpFormatException(fullPath, "its module list cannot be read (" + e.Message + "); the file may be truncated", e);
        }

        if (clr is null)
        {
            throw new DumpFormatException(fullPath, "no .NET runtime was found in it (a dump of a process that is not .NET, or a truncated file)");
        }

        string? moduleBuildId = clr.ModuleInfo.BuildId.IsDefaultOrEmpty ? null : Convert.ToHexStringLower(clr.ModuleInfo.BuildId.AsSpan());
        var dacLib = clr.DebuggingLibraries.FirstOrDefault(d => d.Kind == DebugLibraryKind.Dac);
        string? dacBuildId = dacLib is null || dacLib.IndexBuildId.IsDefaultOrEmpty ? null : Convert.ToHexStringLower(dacLib.IndexBuildId.AsSpan());
        var request = new DacRequest(fullPath, clr.ModuleInfo.FileName ?? "", clr.Version.ToString(), moduleBuildId, dacBuildId);

        var rejected = new List<GcDacCandidate>();
        if (options.DacPath is not null)
        {
            string dac = System.IO.Path.GetFullPath(options.DacPath);
            if (!File.Exists(dac))
            {
                throw new InvalidDacException(dac, $"-DacPath '{dac}' does not exist.");
            }

            options.Log?.Invoke($"DAC: using -DacPath {dac}");
            ClrRuntime runtime = TryCreate(clr, dac, out string? error)
                ?? throw new InvalidDacException(dac, $"-DacPath '{dac}' cannot read this dump: {error}. It must be the {DacLocator.DacFileName} of the runtime the dump was taken from.");
            var resolution = new GcDacResolution { DacPath = dac, Source = "DacPath", Reason = "given with -DacPath", Rejected = rejected };
            return new DumpSession(fullPath, dataTarget, runtime, resolution, request.VersionKnown ? request.RuntimeVersion : null);
        }

        var locator = new DacLocator(options.DacSearchPath);
        foreach (DacCandidate candidate in locator.FindCandidates(request, rejected))
        {
            ClrRuntime? runtime = TryCreate(clr, candidate.Path, out string? error);
            if (runtime is null)
            {
                rejected.Add(new GcDacCandidate { Path = candidate.Path, Source = candidate.Source, Reason = "matched, but failed to load: " + error });
                continue;
            }

            foreach (var r in rejected)
            {
                options.Log?.Invoke($"DAC rejected: {r.Path} [{r.Source}]: {r.Reason}");
            }

            options.Log?.Invoke($"DAC accepted: {candidate.Path} [{candidate.Source}]: {candidate.Reason}");
            var resolution = new GcDacResolution { DacPath = candidate.Path, Source = candidate.Source, Reason = candidate.Reason, Rejected = rejected };
            string? version = request.VersionKnown ? request.RuntimeVersion : candidate.RuntimeVersion;
            return new DumpSession(fullPath, dataTarget, runtime, resolution, version);
        }

        foreach (var r in rejected)
        {
            options.Log?.Invoke($"DAC rejected: {r.Path} [{r.Source}]: {r.Reason}");
        }

        throw new DacNotFoundException(fullPath, locator.DescribeFailure(request, rejected))
        {
            RecommendedAction = $"Open-GcDump -Path '{fullPath}' -DacPath <path to {DacLocator.DacFileName} of the dumped runtime>",
        };
    }

    private static ClrRuntime? TryCreate(ClrInfo clr, string dac, out string? error)
    {
        try
        {
            ClrRuntime runtime = clr.CreateRuntime(dac, ignoreMismatch: true);
            // Touch the heap: a DAC of another build loads, then fails here.
            _ = runtime.Heap.Segments.Length;
            error = null;
            return runtime;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>The heap index: built by the first call (one walk, with progress), reused by every later one.</summary>
    public HeapIndex GetIndex(CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        ThrowIfClosed();
        HeapIndex? index = _index;
        if (index is not null)
        {
            return index;
        }

        _walkLock.Wait(cancellationToken);
        try
        {
            ThrowIfClosed();
            return _index ??= HeapIndex.Build(_runtime.Heap, cancellationToken, progress);
        }
        finally
        {
            _walkLock.Release();
        }
    }

    /// <summary>Objects reachable from roots, computed once per session within a budget (a truncated set is not cached).</summary>
    public LiveSet GetLiveSet(GraphBudget budget, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        HeapIndex index = GetIndex(cancellationToken, progress);
        lock (_liveLock)
        {
            if (_live is not null)
            {
                return _live;
            }
        }

        LiveSet live = LiveSet.Mark(GetGraph(cancellationToken, progress), GetRootSet(cancellationToken, progress), budget, cancellationToken, progress);
        if (!live.Truncated)
        {
            lock (_liveLock)
            {
                _live ??= live;
            }
        }

        return live;
    }

    /// <summary>
    /// The reference graph of the heap (<see cref="ReferenceGraph"/>): built by the first call (after the heap index, in parallel, with
    /// progress), reused by every later one until <see cref="DropGraph"/>. About 4 bytes per object and 4 per reference.
    /// </summary>
    public ReferenceGraph GetGraph(CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        HeapIndex index = GetIndex(cancellationToken, progress);
        return BuildOnce(ref _graph, () => ReferenceGraphBuilder.Build(_runtime.Heap, index, cancellationToken, progress), cancellationToken);
    }

    /// <summary>True once the reference graph exists (a later graph question will not build it again).</summary>
    public bool HasGraph => _graph is not null;

    /// <summary>
    /// Lets the reference graph go, so that its memory returns once no running command holds it; the next graph question builds it
    /// again. For dumps too big to keep the index, the graph and a dominator tree in memory together. The live set and the root
    /// set stay cached.
    /// </summary>
    public void DropGraph() => _graph = null;

    /// <summary>Every root of the dump with its kind, name and node (<see cref="RootSet"/>): enumerated by the first call, then cached.</summary>
    public RootSet GetRootSet(CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        HeapIndex index = GetIndex(cancellationToken, progress);
        return BuildOnce(ref _roots, () => RootSet.Build(_runtime, index, cancellationToken, progress), cancellationToken);
    }

    /// <summary>The cached value in <paramref name="field"/>, or built under the walk lock (one heavy build at a time, none after Close).</summary>
    private T BuildOnce<T>(ref T? field, Func<T> build, CancellationToken cancellationToken)
        where T : class
    {
        T? value = Volatile.Read(ref field);
        if (value is not null)
        {
            return value;
        }

        _walkLock.Wait(cancellationToken);
        try
        {
            ThrowIfClosed();
            return field ??= build();
        }
        finally
        {
            _walkLock.Release();
        }
    }

    /// <summary>
    /// The exact dominator tree of the heap seen from its roots, with every object's retained bytes and count
    /// (<see cref="DominatorTree"/>): built by the first call from the reference graph and the root set, never truncated (a cancel
    /// throws and caches nothing), then kept for the session, also after <see cref="DropGraph"/>.
    /// 14 bytes per object (8 more once its dominated children are asked).
    /// </summary>
    public DominatorTree GetDominatorTree(CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        DominatorTree? tree = Volatile.Read(ref _tree);
        if (tree is not null)
        {
            return tree;
        }

        // The graph and the roots first: BuildOnce holds the walk lock while it builds.
        HeapIndex index = GetIndex(cancellationToken, progress);
        ReferenceGraph graph = GetGraph(cancellationToken, progress);
        RootSet roots = GetRootSet(cancellationToken, progress);
        return BuildOnce(ref _tree, () => DominatorTree.Build(graph, roots.Nodes,
            visit => index.ForEach((i, e) => visit((int)i, index.SizeOf(e)), cancellationToken), cancellationToken, progress), cancellationToken);
    }

    /// <summary>True once the dominator tree exists.</summary>
    public bool HasDominatorTree => _tree is not null;

    internal void ThrowIfClosed()
    {
        if (_disposed)
        {
            throw new DumpClosedException(Path);
        }
    }

    public override void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _walkLock.Wait();
        try
        {
            _disposed = true;
            _index = null;
            _live = null;
            _graph = null;
            _roots = null;
            _tree = null;
            _runtime.Dispose();
            _dataTarget.Dispose();
        }
        finally
        {
            _walkLock.Release();
        }
    }
}
