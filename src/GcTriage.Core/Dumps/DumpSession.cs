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
    /// <summary>Receives warnings the user should see (the cmdlets write them with WriteWarning), such as an untrusted -DacPath.</summary>
    public Action<string>? Warn { get; init; }
}

/// <summary>
/// An open dump. Owns the ClrMD DataTarget and ClrRuntime, and the heap index built by the first walk, which every later
/// question on this session reuses. Thread-safe: one walk at a time, and the index is immutable once built.
/// Every reader holds a lease (<see cref="Acquire"/>) while it touches ClrMD; <see cref="Dispose"/> cancels the readers' work,
/// refuses new leases, and releases the DAC and the data target only once the last lease has ended (the DAC unloaded under
/// a running reader crashes the process).
/// </summary>
public sealed class DumpSession : GcDump
{
    private readonly DataTarget _dataTarget;
    private readonly ClrRuntime _runtime;
    private readonly SemaphoreSlim _walkLock = new(1, 1);
    private readonly object _liveLock = new();
    private readonly object _leaseLock = new();
    private readonly CancellationTokenSource _closing = new();
    private HeapIndex? _index;
    private LiveSet? _live;
    private ReferenceGraph? _graph;
    private RootSet? _roots;
    private DominatorTree? _tree;
    private int _leases;
    private volatile bool _closed;
    private bool _released;

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
    public override bool IsOpen => !_closed;
    public override bool IsDamaged => _index?.IsDamaged ?? false;
    public override long? InvalidObjectCount => _index?.InvalidObjects;

    /// <summary>How long <see cref="Dispose"/> waits for running readers to see the cancellation before leaving the release to the last of them.</summary>
    public static TimeSpan CloseWait { get; } = TimeSpan.FromSeconds(10);
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
        CheckRegularFile(fullPath);

        string? truncation;
        try
        {
            truncation = DumpFileCheck.FindTruncation(fullPath);
        }
        catch (Exception e) when (IsFormatError(e))
        {
            throw new DumpFormatException(fullPath, e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            // The first read of the dump: AccessDenied with the path, who we are and who owns it, whichever thread reports it.
            throw ErrorCatalog.FromException(e, fullPath);
        }

        if (truncation is not null)
        {
            throw new DumpFormatException(fullPath, truncation);
        }

        DataTarget dataTarget;
        try
        {
            dataTarget = DataTarget.LoadDump(fullPath, DacLoader.NewOptions());
        }
        catch (Exception e) when (IsFormatError(e))
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

    /// <summary>What reading a damaged or foreign file throws, here or inside ClrMD: reported as DumpFormat.</summary>
    private static bool IsFormatError(Exception e) =>
        e is InvalidDataException or NotSupportedException or IOException or ArgumentException or InvalidOperationException
            or IndexOutOfRangeException or OverflowException or BadImageFormatException;

    private static DumpSession OpenRuntime(string fullPath, DataTarget dataTarget, DumpOpenOptions options)
    {
        ClrInfo? clr;
        try
        {
            clr = dataTarget.ClrVersions.FirstOrDefault(c => c.Flavor == ClrFlavor.Core) ?? dataTarget.ClrVersions.FirstOrDefault();
        }
        catch (Exception e) when (IsFormatError(e))
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
            ClrRuntime runtime = TryCreate(clr, dac, givenByUser: true, options.Warn, out string? error)
                ?? throw new InvalidDacException(dac, $"-DacPath '{dac}' cannot read this dump: {error}. It must be the {DacLocator.DacFileName} of the runtime the dump was taken from.");
            var resolution = new GcDacResolution { DacPath = dac, Source = "DacPath", Reason = "given with -DacPath", Rejected = rejected };
            return new DumpSession(fullPath, dataTarget, runtime, resolution, request.VersionKnown ? request.RuntimeVersion : null);
        }

        var locator = new DacLocator(options.DacSearchPath);
        foreach (DacCandidate candidate in locator.FindCandidates(request, rejected))
        {
            ClrRuntime? runtime = TryCreate(clr, candidate.Path, givenByUser: false, null, out string? error);
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

    /// <param name="givenByUser">True for -DacPath (the user's word: loaded with a warning when others could have written it); false for
    /// a found candidate, which must be trusted.</param>
    private static ClrRuntime? TryCreate(ClrInfo clr, string dac, bool givenByUser, Action<string>? warn, out string? error)
    {
        try
        {
            ClrRuntime runtime = DacLoader.CreateRuntime(clr, dac, givenByUser, warn);
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

    /// <summary>
    /// Refuses anything but a regular file before it is opened: a FIFO would block the open for ever, a device or a file under
    /// /proc or /sys would be read as if it were a dump.
    /// </summary>
    private static void CheckRegularFile(string fullPath)
    {
        if (!OperatingSystem.IsLinux())
        {
            if (Directory.Exists(fullPath))
            {
                throw new DumpNotRegularFileException(fullPath, "a directory");
            }

            if (!File.Exists(fullPath))
            {
                throw new DumpNotFoundException(fullPath);
            }

            return;
        }

        UnixStat? st = UnixStat.Get(fullPath, followLink: true, out _);
        if (st is null)
        {
            if (!System.IO.Path.Exists(fullPath))
            {
                throw new DumpNotFoundException(fullPath);
            }

            // It exists but cannot be described (no permission on a folder): opening it says why.
            return;
        }

        if (st.Value.Type != UnixStat.Regular)
        {
            throw new DumpNotRegularFileException(fullPath, st.Value.Describe());
        }

        string real = UnixStat.RealPath(fullPath) ?? fullPath;
        foreach (string pseudo in new[] { "/proc", "/sys" })
        {
            if (real == pseudo || real.StartsWith(pseudo + "/", StringComparison.Ordinal))
            {
                throw new DumpNotRegularFileException(fullPath, $"a file under {pseudo} (a kernel interface)");
            }
        }
    }

    /// <summary>
    /// Takes a reader's lease on this session: the DAC and the data target stay loaded until it is disposed, and its token (the
    /// caller's, linked with the session's) is cancelled when the session is closed. Every Core entry point that touches ClrMD
    /// through a session holds one: <c>using DumpLease lease = session.Acquire(ct); ct = lease.Token;</c>.
    /// </summary>
    /// <exception cref="DumpClosedException">The session is closed (or closing).</exception>
    public DumpLease Acquire(CancellationToken cancellationToken = default)
    {
        lock (_leaseLock)
        {
            if (_closed)
            {
                throw new DumpClosedException(Path);
            }

            _leases++;
        }

        try
        {
            return new DumpLease(this, _closing.Token, cancellationToken);
        }
        catch
        {
            EndLease();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> under a lease. A cancellation that came from Close (not from the caller) is reported as
    /// <see cref="DumpClosedException"/>, so a command cut short by Close-GcDump says so instead of returning nothing.
    /// </summary>
    public T Read<T>(CancellationToken cancellationToken, Func<CancellationToken, T> work)
    {
        using DumpLease lease = Acquire(cancellationToken);
        try
        {
            return work(lease.Token);
        }
        catch (Exception e) when (_closed && !cancellationToken.IsCancellationRequested && IsCancellation(e))
        {
            throw new DumpClosedException(Path);
        }
    }

    /// <summary>True for the exceptions a cancelled token makes (Parallel loops wrap them).</summary>
    private static bool IsCancellation(Exception e) =>
        e is OperationCanceledException || (e is AggregateException a && a.Flatten().InnerExceptions.All(x => x is OperationCanceledException));

    internal void EndLease()
    {
        bool release;
        lock (_leaseLock)
        {
            _leases--;
            release = _closed && _leases == 0 && !_released;
            _released |= release;
            Monitor.PulseAll(_leaseLock);
        }

        if (release)
        {
            ReleaseNative();
        }
    }

    /// <summary>The heap index: built by the first call (one walk, with progress), reused by every later one.</summary>
    public HeapIndex GetIndex(CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
        => BuildOnce(ref _index, ct => HeapIndex.Build(_runtime.Heap, ct, progress), cancellationToken);

    /// <summary>Objects reachable from roots, computed once per session within a budget (a truncated set is not cached).</summary>
    public LiveSet GetLiveSet(GraphBudget budget, CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        return Read(cancellationToken, ct =>
        {
            lock (_liveLock)
            {
                if (_live is not null)
                {
                    return _live;
                }
            }

            LiveSet live = LiveSet.Mark(GetGraph(ct, progress), GetRootSet(ct, progress), budget, ct, progress);
            if (!live.Truncated)
            {
                lock (_liveLock)
                {
                    _live ??= live;
                }
            }

            return live;
        });
    }

    /// <summary>
    /// The reference graph of the heap (<see cref="ReferenceGraph"/>): built by the first call (after the heap index, in parallel, with
    /// progress), reused by every later one until <see cref="DropGraph"/>. About 4 bytes per object and 4 per reference.
    /// </summary>
    public ReferenceGraph GetGraph(CancellationToken cancellationToken = default, IProgress<GcProgress>? progress = null)
    {
        HeapIndex index = GetIndex(cancellationToken, progress);
        return BuildOnce(ref _graph, ct => ReferenceGraphBuilder.Build(_runtime.Heap, index, ct, progress), cancellationToken);
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
        return BuildOnce(ref _roots, ct => RootSet.Build(_runtime, index, ct, progress), cancellationToken);
    }

    /// <summary>
    /// The exact dominator tree of the heap seen from its roots, with every object's retained bytes and count
    /// (<see cref="DominatorTree"/>): built by the first call from the reference graph and the root set, never truncated (a cancel
    /// throws and caches nothing), then kept for the session, also after <see cref="DropGraph"/>.
    /// 14 bytes per object; commands that descend it group its nodes by dominator for their own length (8 bytes per object, let go after).
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
        return BuildOnce(ref _tree, ct => DominatorTree.Build(graph, roots.Nodes,
            visit => index.ForEach((i, e) => visit((int)i, index.SizeOf(e)), ct), ct, progress), cancellationToken);
    }

    /// <summary>True once the dominator tree exists.</summary>
    public bool HasDominatorTree => _tree is not null;

    /// <summary>
    /// The cached value in <paramref name="field"/>, or built under a lease and the walk lock (one heavy build at a time, none
    /// after Close).
    /// </summary>
    private T BuildOnce<T>(ref T? field, Func<CancellationToken, T> build, CancellationToken cancellationToken)
        where T : class
    {
        ThrowIfClosed();
        T? value = Volatile.Read(ref field);
        if (value is not null)
        {
            return value;
        }

        using DumpLease lease = Acquire(cancellationToken);
        try
        {
            _walkLock.Wait(lease.Token);
            try
            {
                ThrowIfClosed();
                return field ??= build(lease.Token);
            }
            finally
            {
                _walkLock.Release();
            }
        }
        catch (Exception e) when (_closed && !cancellationToken.IsCancellationRequested && IsCancellation(e))
        {
            throw new DumpClosedException(Path);
        }
    }

    internal void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new DumpClosedException(Path);
        }
    }

    /// <summary>
    /// Closes the session: no new lease is given, running readers are cancelled, and the DAC and the data target are released
    /// once the last lease ends: here if that happens within <see cref="CloseWait"/>, otherwise by that last reader.
    /// </summary>
    public override void Dispose()
    {
        lock (_leaseLock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        _closing.Cancel();
        bool release;
        lock (_leaseLock)
        {
            long deadline = Environment.TickCount64 + (long)CloseWait.TotalMilliseconds;
            while (_leases > 0)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_leaseLock, TimeSpan.FromMilliseconds(left)))
                {
                    break;
                }
            }

            release = _leases == 0 && !_released;
            _released |= release;
        }

        if (release)
        {
            ReleaseNative();
        }
    }

    private void ReleaseNative()
    {
        _index = null;
        _graph = null;
        _roots = null;
        _tree = null;
        lock (_liveLock)
        {
            _live = null;
        }

        _runtime.Dispose();
        _dataTarget.Dispose();
        _closing.Dispose();
    }
}
