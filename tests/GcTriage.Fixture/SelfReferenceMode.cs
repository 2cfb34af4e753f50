using System.Reflection;
using System.Reflection.Emit;

namespace GcTriage.Fixture;

/// <summary>
/// A damaged collection beside good ones, for the per-item error tests. SelfReferenceMode.s_bad is an object of a type made
/// with Reflection.Emit and named exactly like the runtime's Dictionary&lt;Int64, Boolean&gt;, with the fields the collection
/// reader reads (_buckets int[3], _entries, _count 3, _freeList -1, _freeCount 0), whose _entries points at the object
/// itself. SelfReferenceMode.s_good is a real Dictionary&lt;long, bool&gt; with the keys 1, 2, 3 (all true).
/// </summary>
public static class SelfReferenceMode
{
    public static object? s_bad;
    public static Dictionary<long, bool>? s_good;

    public static int Run(string[] args)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("SelfReference"), AssemblyBuilderAccess.Run);
        TypeBuilder builder = assembly.DefineDynamicModule("SelfReference")
            .DefineType("System.Collections.Generic.Dictionary<System.Int64, System.Boolean>", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        builder.DefineField("_buckets", typeof(int[]), FieldAttributes.Public);
        builder.DefineField("_entries", typeof(object), FieldAttributes.Public);
        builder.DefineField("_count", typeof(int), FieldAttributes.Public);
        builder.DefineField("_freeList", typeof(int), FieldAttributes.Public);
        builder.DefineField("_freeCount", typeof(int), FieldAttributes.Public);
        Type type = builder.CreateType();
        object bad = Activator.CreateInstance(type)!;
        type.GetField("_buckets")!.SetValue(bad, new int[3]);
        type.GetField("_entries")!.SetValue(bad, bad);
        type.GetField("_count")!.SetValue(bad, 3);
        type.GetField("_freeList")!.SetValue(bad, -1);
        s_bad = bad;
        s_good = new Dictionary<long, bool> { [1] = true, [2] = true, [3] = true };
        Program.ReadyAndWait();
        GC.KeepAlive(s_bad);
        return 0;
    }
}
