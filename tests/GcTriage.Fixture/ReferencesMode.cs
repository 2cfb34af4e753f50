using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace GcTriage.Fixture;

public sealed class RefKey
{
    public int Id;
}

public sealed class RefValue
{
    public string? Name;
}

public sealed class ChainNode
{
    public ChainNode? Next;
    public long Value;
}

public struct RefPair
{
    public string? First;
    public long Between;
    public object? Second;
}

/// <summary>
/// A heap with every kind of reference the graph must see, then waits (see Program.ReadyAndWait). Known figures (64-bit):
///  - s_keys: RefKey[10], each key mapped in s_table (a ConditionalWeakTable) to its own RefValue: 10 dependent handles, primary
///    the key, secondary the value; nothing else refers to a RefValue.
///  - s_pairs: RefPair[100] (an array of structs with two references and a long between them); element i holds the string "p" + i
///    (First) and, for even i, a RefKey-free boxed int i (Second); odd elements leave Second null.
///  - s_chain: the head of ChainNode x 200,000 linked through Next (values 0..199,999), the last one's Next null.
///  - s_cycle: three ChainNode in a ring (values -1, -2, -3).
///  - s_collectible: an instance of GcTriage.Collectible.Holder, a type of a collectible (RunAndCollect) dynamic assembly, whose
///    Payload field holds the string "collectible payload".
/// </summary>
public static class ReferencesMode
{
    public const int Keys = 10;
    public const int Pairs = 100;
    public const int ChainLength = 200_000;

    public static RefKey[]? s_keys;
    public static ConditionalWeakTable<RefKey, RefValue>? s_table;
    public static RefPair[]? s_pairs;
    public static ChainNode? s_chain;
    public static ChainNode? s_cycle;
    public static object? s_collectible;

    public static int Run(string[] args)
    {
        s_keys = new RefKey[Keys];
        s_table = new ConditionalWeakTable<RefKey, RefValue>();
        for (int i = 0; i < Keys; i++)
        {
            s_keys[i] = new RefKey { Id = i };
            s_table.Add(s_keys[i], new RefValue { Name = "value" + i });
        }

        s_pairs = new RefPair[Pairs];
        for (int i = 0; i < Pairs; i++)
        {
            s_pairs[i] = new RefPair { First = "p" + i, Between = i, Second = i % 2 == 0 ? i : null };
        }

        ChainNode? head = null;
        for (int i = ChainLength - 1; i >= 0; i--)
        {
            head = new ChainNode { Next = head, Value = i };
        }

        s_chain = head;
        var a = new ChainNode { Value = -1 };
        var b = new ChainNode { Value = -2, Next = a };
        var c = new ChainNode { Value = -3, Next = b };
        a.Next = c;
        s_cycle = a;
        s_collectible = CreateCollectible();

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Program.ReadyAndWait();
        GC.KeepAlive(s_table);
        return 0;
    }

    private static object CreateCollectible()
    {
        AssemblyBuilder assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("GcTriage.Collectible"), AssemblyBuilderAccess.RunAndCollect);
        ModuleBuilder module = assembly.DefineDynamicModule("GcTriage.Collectible");
        TypeBuilder type = module.DefineType("GcTriage.Collectible.Holder", TypeAttributes.Public | TypeAttributes.Class);
        type.DefineField("Payload", typeof(object), FieldAttributes.Public);
        Type holder = type.CreateType();
        object instance = Activator.CreateInstance(holder)!;
        holder.GetField("Payload")!.SetValue(instance, "collectible payload");
        return instance;
    }
}
