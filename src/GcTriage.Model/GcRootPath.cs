namespace GcTriage;

/// <summary>One path from a GC root to an object: why it is alive.</summary>
public sealed class GcRootPath
{
    /// <summary>The object asked about.</summary>
    public ulong Address { get; init; }
    public string TypeName { get; init; } = "";
    /// <summary>StaticField, Stack, StrongHandle, PinnedHandle, AsyncPinnedHandle, RefCountedHandle, SizedRefHandle, FinalizerQueue; Unknown when the search ran out of budget before finding a path.</summary>
    public string RootKind { get; init; } = "";
    /// <summary>For a static field Namespace.Type.Field; for a handle its kind and address; for a stack root the thread and frame.</summary>
    public string RootName { get; init; } = "";
    /// <summary>Address of the root (handle, stack slot, or static field storage) where known.</summary>
    public ulong RootAddress { get; init; }
    /// <summary>Objects from the root to the object asked about (both included); each step names the field of the previous object that holds it.</summary>
    public IReadOnlyList<GcRootStep> Chain { get; init; } = Array.Empty<GcRootStep>();
    /// <summary>References followed from the first object to the object asked about (0 when the root holds it directly).</summary>
    public int Depth { get; init; }
    /// <summary>True when the search stopped on its budget: more (never shorter) paths may exist; with RootKind Unknown, none was found in budget.</summary>
    public bool Truncated { get; init; }
    public string? DumpPath { get; init; }

    /// <summary>The chain as one line: Type.field -> Type.field -> ... .</summary>
    public string Path => string.Join(" -> ", Chain.Select(s => s.ToString()));

    public override string ToString() => $"{RootKind} {RootName}: {Path}";
}

/// <summary>One object on a root path.</summary>
public sealed class GcRootStep
{
    public string TypeName { get; init; } = "";
    /// <summary>The field of the previous object (or [i] for an array element) that refers to this one; null for the first object.</summary>
    public string? FieldName { get; init; }
    public ulong Address { get; init; }

    public override string ToString() => FieldName is null ? $"{TypeName}@0x{Address:x}" : $"({FieldName}) {TypeName}@0x{Address:x}";
}
