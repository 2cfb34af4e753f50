namespace GcTriage;

/// <summary>
/// One object with what it retains, from the dump's exact dominator tree: the bytes and objects that would be freed if it were
/// gone (Get-GcRetained, Get-GcDominator). Raw bytes; binds to Get-GcRoot -Address.
/// </summary>
public sealed class GcRetainedInfo
{
    public ulong Address { get; init; }
    public string TypeName { get; init; } = "";
    /// <summary>The object's own bytes.</summary>
    public long Size { get; init; }
    /// <summary>Its own bytes and those of every object it dominates (reachable from the roots only through it).</summary>
    public long RetainedBytes { get; init; }
    /// <summary>Objects freed with it, itself included.</summary>
    public long RetainedCount { get; init; }
    /// <summary>RetainedBytes over the bytes reachable from the roots, 0-1.</summary>
    public double ShareOfHeap { get; init; }
    public GcGeneration Generation { get; init; }
    /// <summary>Its immediate dominator; 0 for a top dominator (held by the roots as a whole, or by more than one root).</summary>
    public ulong DominatorAddress { get; init; }
    /// <summary>
    /// The kind of the root that holds its top dominator (StaticField, Stack, StrongHandle, ...) when that top dominator is itself a
    /// root; null when it is reached through several roots (ask Get-GcRoot for the paths).
    /// </summary>
    public string? RootKind { get; init; }
    /// <summary>That root's name: Namespace.Type.Field for a static, the handle or the stack frame otherwise.</summary>
    public string? RootName { get; init; }
    public string? DumpPath { get; init; }

    public override string ToString() => $"0x{Address:x} {TypeName}: retains {RetainedBytes} bytes in {RetainedCount} objects";
}
