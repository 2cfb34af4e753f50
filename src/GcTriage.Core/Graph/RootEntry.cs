namespace GcTriage.Core;

/// <summary>One root of a dump: what holds it, its name, where the root lives, the object it holds and that object's node.</summary>
/// <param name="Kind">Static field, stack slot, handle kind, finalizer queue.</param>
/// <param name="Name">Namespace.Type.Field for a static; kind and address for a handle; thread and frame for a stack slot.</param>
/// <param name="Address">The handle, the stack slot, or the static field's storage.</param>
/// <param name="Object">The object held.</param>
/// <param name="Node">The object's position in the heap index (the graph's node), or -1 when it is not an object of the index.</param>
public readonly record struct RootEntry(RootKind Kind, string Name, ulong Address, ulong Object, int Node);
