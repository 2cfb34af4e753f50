namespace GcTriage.Core;

/// <summary>
/// One leak suspect over a dominator tree. For <see cref="LeakSuspectKind.Object"/>, <see cref="Node"/> is the suspect and
/// <see cref="AccumulationPoint"/> the object where its bytes pile up; for <see cref="LeakSuspectKind.TypeGroup"/>,
/// <see cref="Node"/> is the group's largest instance and there is no accumulation point (-1).
/// </summary>
/// <param name="Kind">One object, or a group of top dominators of one type.</param>
/// <param name="Node">The suspect (or the largest of the group).</param>
/// <param name="TypeKey">The suspect's type, as the caller's type key.</param>
/// <param name="InstanceCount">1 for an object; the group's size for a type group.</param>
/// <param name="RetainedBytes">Bytes the suspect (or the group together) retains.</param>
/// <param name="RetainedCount">Objects the suspect (or the group together) retains.</param>
/// <param name="ShareOfHeap">RetainedBytes over the bytes the roots reach, 0-1.</param>
/// <param name="AccumulationPoint">The node the descent stopped at, or -1.</param>
/// <param name="AccumulationPath">The dominated chain from the suspect down to the accumulation point, both included.</param>
public sealed record LeakSuspect(
    LeakSuspectKind Kind,
    int Node,
    int TypeKey,
    int InstanceCount,
    long RetainedBytes,
    long RetainedCount,
    double ShareOfHeap,
    int AccumulationPoint,
    IReadOnlyList<int> AccumulationPath);
