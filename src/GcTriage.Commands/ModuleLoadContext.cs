using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace GcTriage.Commands;

/// <summary>
/// The load context that holds GcTriage.Core and every third-party assembly (ClrMD, NETCore.Client, TraceEvent and what they bring),
/// loaded from the module's "dependencies" folder, which default probing cannot see. GcTriage.Model and the framework come
/// from the default context, so output types are the same types scripts see.
/// (Design: PowerShell-Docs, "Resolving PowerShell module assembly dependency conflicts", the bridge pattern.)
/// </summary>
public sealed class ModuleLoadContext : AssemblyLoadContext
{
    private readonly string _dependencyDirectory;

    internal ModuleLoadContext(string dependencyDirectory)
        : base("GcTriage", isCollectible: false)
    {
        _dependencyDirectory = dependencyDirectory;
    }

    public string DependencyDirectory => _dependencyDirectory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null || assemblyName.Name == "GcTriage.Model")
        {
            return null;
        }

        string candidate = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string candidate = Path.Combine(_dependencyDirectory, unmanagedDllName);
        return File.Exists(candidate) ? LoadUnmanagedDllFromPath(candidate) : IntPtr.Zero;
    }
}

/// <summary>Installs the bridge on import: the default context asks this module for GcTriage.Core, and only for it.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string s_dependencyDirectory =
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");

    private static readonly ModuleLoadContext s_context = new(s_dependencyDirectory);

    public void OnImport() => AssemblyLoadContext.Default.Resolving += ResolveCore;

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveCore;

    private static Assembly? ResolveCore(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == "GcTriage.Core" ? s_context.LoadFromAssemblyName(name) : null;
}
