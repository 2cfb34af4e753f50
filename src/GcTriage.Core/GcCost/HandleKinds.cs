using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>ClrMD's handle kinds as the module's own enum.</summary>
internal static class HandleKinds
{
    public static GcHandleKind From(ClrHandleKind kind) => kind switch
    {
        ClrHandleKind.Strong => GcHandleKind.Strong,
        ClrHandleKind.Pinned => GcHandleKind.Pinned,
        ClrHandleKind.AsyncPinned => GcHandleKind.AsyncPinned,
        ClrHandleKind.WeakShort => GcHandleKind.WeakShort,
        ClrHandleKind.WeakLong => GcHandleKind.WeakLong,
        ClrHandleKind.Dependent => GcHandleKind.Dependent,
        ClrHandleKind.RefCounted => GcHandleKind.RefCounted,
        ClrHandleKind.SizedRef => GcHandleKind.SizedRef,
        ClrHandleKind.WeakWinRT => GcHandleKind.WeakWinRT,
        _ => GcHandleKind.Unknown,
    };

    /// <summary>The generation of an address from its segment (no heap walk needed).</summary>
    public static GcGeneration GenerationOf(ClrHeap heap, ulong address)
    {
        ClrSegment? segment = address == 0 ? null : heap.GetSegmentByAddress(address);
        if (segment is null)
        {
            return GcGeneration.Unknown;
        }

        return segment.GetGeneration(address) switch
        {
            Generation.Generation0 => GcGeneration.Gen0,
            Generation.Generation1 => GcGeneration.Gen1,
            Generation.Generation2 => GcGeneration.Gen2,
            Generation.Large => GcGeneration.LOH,
            Generation.Pinned => GcGeneration.POH,
            Generation.Frozen => GcGeneration.Frozen,
            _ => GcGeneration.Unknown,
        };
    }
}
