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

/// <summary>
/// Installs the bridge: the default context asks this module for GcTriage.Core, and only for it. It must be in place before
/// PowerShell reflects over the cmdlet classes (which happens before OnImport), so a module initializer installs it as soon as
/// this assembly loads; OnImport/OnRemove keep it right across Remove-Module and a later Import-Module.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string s_dependencyDirectory =
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");

    private static readonly ModuleLoadContext s_context = new(s_dependencyDirectory);
    private static int s_installed;

    /// <summary>The module's own load context (for tests and diagnostics).</summary>
    public static AssemblyLoadContext Context => s_context;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "A library that PowerShell loads as a module: the bridge must exist before PowerShell reflects over the cmdlets.")]
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Install()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += ResolveCore;
        }
    }

    public void OnImport() => Install();

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // GcTriage.Core stays loaded in s_context (load contexts here are not collectible); keep resolving it for a re-import.
    }

    private static Assembly? ResolveCore(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == "GcTriage.Core" ? s_context.LoadFromAssemblyName(name) : null;
}
