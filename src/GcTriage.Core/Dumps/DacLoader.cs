using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// The one gate through which ClrMD gets a DAC (native code, run as the current user, often root). Every DataTarget is made
/// with <see cref="NewOptions"/>, so ClrMD itself never looks one up (no symbol server, no symbol cache folder); every
/// ClrRuntime is made by <see cref="CreateRuntime"/>, which loads a DAC only from a path that passes <see cref="TrustedPath"/>
/// (or one the user named, with a warning).
/// </summary>
public static class DacLoader
{
    /// <summary>DataTarget options with every lookup of ClrMD's own turned off: a DAC comes only from <see cref="CreateRuntime"/>.</summary>
    public static DataTargetOptions NewOptions() => new()
    {
        SymbolPaths = Array.Empty<string>(),
        FileLocator = NoFiles.Instance,
    };

    /// <summary>
    /// Loads <paramref name="dacPath"/> for <paramref name="clr"/> after checking that others could not have written it. An
    /// untrusted DAC is refused (<see cref="UntrustedDacException"/>) unless the user named it (<paramref name="givenByUser"/>):
    /// then it is their word, and <paramref name="warn"/> says who else could have written it.
    /// </summary>
    public static ClrRuntime CreateRuntime(ClrInfo clr, string dacPath, bool givenByUser = false, Action<string>? warn = null)
    {
        string? distrust = TrustedPath.WhyUntrusted(dacPath);
        if (distrust is not null)
        {
            if (!givenByUser)
            {
                throw new UntrustedDacException(dacPath, distrust);
            }

            warn?.Invoke($"-DacPath '{dacPath}' is loaded as given, but others could have written it: {distrust}.");
        }

        return clr.CreateRuntime(dacPath, ignoreMismatch: true);
    }

    /// <summary>A file locator that finds nothing: ClrMD asks it for binaries missing from the dump (and for DACs).</summary>
    private sealed class NoFiles : IFileLocator
    {
        public static readonly NoFiles Instance = new();

        public string? FindPEImage(string fileName, int buildTimeStamp, int imageSize, bool checkProperties) => null;

        public string? FindPEImage(string fileName, SymbolProperties archivedUnder, ImmutableArray<byte> buildIdOrUUID, OSPlatform originalPlatform, bool checkProperties) => null;
    }
}
