namespace GcTriage;

/// <summary>One GC handle and its target (Get-GcHandle -Detail). Address binds to Get-GcRoot/Get-GcObject as the target's address.</summary>
public sealed class GcHandleInfo
{
    /// <summary>Where the handle itself lives (in the runtime's handle table).</summary>
    public ulong HandleAddress { get; init; }
    public GcHandleKind Kind { get; init; }
    /// <summary>The target object's address (0 for a handle that points nowhere).</summary>
    public ulong Address { get; init; }
    public string TypeName { get; init; } = "";
    public ulong MethodTable { get; init; }
    public long Size { get; init; }
    public GcGeneration Generation { get; init; }
    /// <summary>For a dependent handle: the secondary object it keeps alive while the target (primary) is.</summary>
    public ulong? DependentAddress { get; init; }
    public string? DependentTypeName { get; init; }
    /// <summary>For a ref-counted handle: its reference count.</summary>
    public uint? ReferenceCount { get; init; }
    public string? DumpPath { get; init; }

    public override string ToString() => $"0x{HandleAddress:x} {Kind} -> 0x{Address:x} {TypeName}";
}
