using System.Buffers.Binary;
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;
using Microsoft.Diagnostics.Tracing;

namespace GcTriage.Core;

/// <summary>What the running runtime itself reports about its GC.</summary>
public sealed class GcRuntimeFacts
{
    public bool? IsServer { get; set; }
    public int? HeapCount { get; set; }
    /// <summary>From the GCSettingsRundown event: the hard limit the GC runs with (0 when none).</summary>
    public long? HardLimit { get; set; }
    /// <summary>From GCSettingsRundown: the configured gen0 minimum budget (0 when not configured).</summary>
    public long? Gen0MinBudget { get; set; }
    public long? LohThreshold { get; set; }
    public uint? SettingsBits { get; set; }
    public long? HeapSizeBytes { get; set; }
    public long? Gen2SizeBytes { get; set; }
    public string? RuntimeVersion { get; set; }
}

/// <summary>
/// Asks a live runtime how its GC runs. Two cheap sources: the GCSettingsRundown event (EventPipe, a session with only the
/// rundown's GC keyword: a few events, no method rundown) and a non-suspending ClrMD read of the GC globals (server or
/// workstation, heap count, generation sizes). Either may fail (permissions, an old runtime); the caller records warnings.
/// </summary>
internal static class GcRuntimeProbe
{
    private const string RundownProvider = "Microsoft-Windows-DotNETRuntimeRundown";
    private const int GCSettingsRundownId = 10;
    private const int RuntimeInformationRundownId = 187;

    public static void ReadRundown(int processId, GcRuntimeFacts facts, CancellationToken cancellationToken)
    {
        var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Error, 0) };
        // Rundown keyword 0x1 (GC): the rundown emits GCSettingsRundown and RuntimeInformation only, no method/module rundown.
        var config = new EventPipeSessionConfiguration(providers, circularBufferSizeMB: 4, rundownKeyword: 0x1, requestStackwalk: false);
        using LiveSession live = LiveSession.Start(processId, config, cancellationToken);
        using var source = new EventPipeEventSource(live.Stream);
        source.Dynamic.All += e =>
        {
            if (e.ProviderName != RundownProvider)
            {
                return;
            }

            byte[] data = e.EventData();
            if ((int)e.ID == GCSettingsRundownId && data.Length >= 48)
            {
                // HardLimit u64, LOHThreshold u64, PhysicalMemoryConfig u64, Gen0MinBudgetConfig u64, Gen0MaxBudgetConfig u64,
                // HighMemPercentConfig u32, BitSettings u32, ClrInstanceID u16.
                facts.HardLimit = (long)BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(0));
                facts.LohThreshold = (long)BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(8));
                facts.Gen0MinBudget = (long)BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(24));
                facts.SettingsBits = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(44));
            }
            else if ((int)e.ID == RuntimeInformationRundownId && data.Length >= 12)
            {
                // ClrInstanceID u16, Sku u16, BclMajor u16, BclMinor u16, BclBuild u16, BclQfe u16, ...
                facts.RuntimeVersion = $"{BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(4))}.{BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(6))}.{BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8))}";
            }
        };

        var processing = DedicatedTask.Run(() => source.Process());
        try
        {
            // The rundown is written when the session stops; stop from this thread, never from the callback.
            live.Stop();
            if (!processing.Wait(TimeSpan.FromSeconds(10), cancellationToken))
            {
                throw new DiagnosticsTimeoutException(processId, "the runtime's GC settings rundown", TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            // Our end closes whatever happened (cancellation, a timeout), so the parser's thread ends too.
            live.Close();
        }
    }

    /// <summary>
    /// Attaches to a live process without suspending it, through the DAC gate (<see cref="DacLoader.NewOptions"/>: ClrMD looks
    /// nothing up by itself).
    /// </summary>
    internal static DataTarget AttachLive(int processId) => DataTarget.AttachToProcess(processId, suspend: false, DacLoader.NewOptions());

    /// <summary>
    /// The runtime of a live process attached to, with the DAC that sits next to its runtime, and only if no one else could have
    /// written it (a process of another user may run from its own folder): DacLoader checks. ClrMD does not download a DAC on
    /// Linux and may read the runtime version of a Linux process as 0.0, so the version check is skipped for this, the runtime's
    /// own DAC. Null when the process has no CLR.
    /// </summary>
    internal static ClrRuntime? CreateRuntime(DataTarget target)
    {
        if (target.ClrVersions.Length == 0)
        {
            return null;
        }

        ClrInfo clr = target.ClrVersions[0];
        string? runtimeDir = Path.GetDirectoryName(clr.ModuleInfo.FileName);
        string? dac = runtimeDir is null ? null : Path.Combine(runtimeDir, DacLocator.DacFileName);
        if (dac is null || !File.Exists(dac))
        {
            throw new FileNotFoundException($"no {DacLocator.DacFileName} beside the process's runtime ({runtimeDir})", dac);
        }

        return DacLoader.CreateRuntime(clr, dac);
    }

    /// <summary>Reads the GC globals without suspending the process (a consistent-enough read of values that change rarely).</summary>
    public static void ReadClrMd(int processId, GcRuntimeFacts facts)
    {
        using DataTarget target = AttachLive(processId);
        using ClrRuntime? runtime = CreateRuntime(target);
        if (runtime is null)
        {
            return;
        }

        ClrHeap heap = runtime.Heap;
        facts.IsServer = heap.IsServer;
        facts.HeapCount = heap.SubHeaps.Length;
        long total = 0;
        long gen2 = 0;
        foreach (ClrSegment segment in heap.Segments)
        {
            if (segment.Kind == GCSegmentKind.Frozen)
            {
                continue;
            }

            total += (long)segment.ObjectRange.Length;
            if (segment.Kind == GCSegmentKind.Generation2)
            {
                gen2 += (long)segment.ObjectRange.Length;
            }
            else if (segment.Kind == GCSegmentKind.Ephemeral)
            {
                gen2 += (long)segment.Generation2.Length;
            }
        }

        facts.HeapSizeBytes = total;
        facts.Gen2SizeBytes = gen2;
    }
}
