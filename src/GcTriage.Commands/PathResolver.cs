using System.Collections.ObjectModel;
using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>
/// The one place where file parameters become file-system paths, by PowerShell's convention: -Path expands wildcards (and
/// honours backtick escapes), -LiteralPath (alias PSPath, LP, FullName: what Get-ChildItem's output binds to) never does.
/// </summary>
internal static class PathResolver
{
    /// <summary>
    /// Input files. A -Path pattern that matches nothing gets a non-terminating DumpNotFound; a -Path without wildcards, or a
    /// -LiteralPath, that does not exist is passed on as it is (the reader then names it in its own not-found error).
    /// </summary>
    public static IEnumerable<string> ResolveInputs(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal)
    {
        foreach (string p in paths)
        {
            if (literal)
            {
                yield return cmdlet.GetUnresolvedProviderPathFromPSPath(p);
                continue;
            }

            Collection<string>? resolved = null;
            ProviderInfo? provider = null;
            try
            {
                resolved = cmdlet.GetResolvedProviderPathFromPSPath(p, out provider);
            }
            catch (ItemNotFoundException)
            {
            }

            if (resolved is null || resolved.Count == 0)
            {
                if (WildcardPattern.ContainsWildcardCharacters(p))
                {
                    cmdlet.WriteError(ErrorMapper.ToErrorRecord(new GcTriageException(ErrorCatalog.DumpNotFound, GcErrorKind.ObjectNotFound,
                        $"'{p}' matches no file (use -LiteralPath for a name with [ ] * ? in it).", p), p));
                    continue;
                }

                yield return cmdlet.GetUnresolvedProviderPathFromPSPath(WildcardPattern.Unescape(p));
                continue;
            }

            if (!IsFileSystem(provider))
            {
                cmdlet.WriteError(ErrorMapper.ToErrorRecord(NotFileSystem(p, provider), p));
                continue;
            }

            foreach (string r in resolved)
            {
                yield return r;
            }
        }
    }

    /// <summary>
    /// One path (a file or folder to write, or the one dump to read): -LiteralPath as it is; -Path with wildcards must match exactly one existing
    /// item (as Out-File -FilePath), without them it is taken as written (escapes removed).
    /// </summary>
    public static string ResolveOne(PSCmdlet cmdlet, string path, bool literal)
    {
        if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
        {
            return cmdlet.GetUnresolvedProviderPathFromPSPath(literal ? path : WildcardPattern.Unescape(path));
        }

        Collection<string> resolved;
        ProviderInfo? provider = null;
        try
        {
            resolved = cmdlet.GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (ItemNotFoundException)
        {
            resolved = new Collection<string>();
        }

        if (!IsFileSystem(provider))
        {
            throw NotFileSystem(path, provider);
        }

        if (resolved.Count == 0)
        {
            throw new GcTriageException(ErrorCatalog.PathNotFound, GcErrorKind.ObjectNotFound,
                $"'{path}' matches nothing; use -LiteralPath for a name with [ ] * ? in it.", path);
        }

        if (resolved.Count != 1)
        {
            throw new GcTriageException(ErrorCatalog.AmbiguousDumpPath, GcErrorKind.InvalidArgument,
                $"'{path}' matches {resolved.Count} items; give one (or use -LiteralPath).", path);
        }

        return resolved[0];
    }

    private static bool IsFileSystem(ProviderInfo? provider) =>
        provider is null || provider.Name == "FileSystem";

    private static GcTriageException NotFileSystem(string path, ProviderInfo? provider) =>
        new(ErrorCatalog.InvalidArgument, GcErrorKind.InvalidArgument, $"'{path}' is a {provider?.Name} path, not a file-system path.", path);
}
