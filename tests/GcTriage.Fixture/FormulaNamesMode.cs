using System.Reflection;
using System.Reflection.Emit;

namespace GcTriage.Fixture;

/// <summary>
/// Types whose names a spreadsheet would run as formulas (made with Reflection.Emit: C# cannot name them so), for the CSV
/// injection tests. Holds FormulaNamesMode.s_objects: for each name in <see cref="Names"/>, exactly (index + 1) instances of
/// that type, each with no fields (24 bytes on 64-bit).
/// </summary>
public static class FormulaNamesMode
{
    public static readonly string[] Names =
    {
        "=HYPERLINK(\"http://evil.example/\",\"open me\")",
        "+1+1",
        "-2+3",
        "@SUM(1,2)",
        "\tTabbed",
    };

    public static object[]? s_objects;

    public static int Run(string[] args)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("FormulaNames"), AssemblyBuilderAccess.Run);
        ModuleBuilder module = assembly.DefineDynamicModule("FormulaNames");
        var objects = new List<object>();
        for (int i = 0; i < Names.Length; i++)
        {
            Type type = module.DefineType(Names[i], TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class).CreateType();
            for (int n = 0; n <= i; n++)
            {
                objects.Add(Activator.CreateInstance(type)!);
            }
        }

        s_objects = objects.ToArray();
        Program.ReadyAndWait();
        GC.KeepAlive(s_objects);
        return 0;
    }
}
