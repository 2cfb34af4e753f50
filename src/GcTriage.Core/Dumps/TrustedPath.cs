using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace GcTriage.Core;

/// <summary>
/// The one rule for native code: a library is loaded only from a file that no one but root (or the administrators) and the
/// current user could have written, and whose folders up to the root no one else could have changed. Checked before anything
/// is loaded. Unix: the file and every folder on the way (as given and with links resolved) are owned by root or the current
/// user and not writable by group or others; a world-writable folder with the sticky bit (/tmp) passes, since others can
/// neither rename nor delete what they do not own in it. Windows: the same with owners and allow-ACEs.
/// </summary>
public static class TrustedPath
{
    /// <summary>Null when <paramref name="path"/> is trusted; otherwise why not, naming the file or folder at fault.</summary>
    public static string? WhyUntrusted(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }

        if (OperatingSystem.IsWindows())
        {
            return WhyUntrustedWindows(full, isFolder: false);
        }

        if (!OperatingSystem.IsLinux())
        {
            return "file ownership is not checked on this operating system; pass the DAC with -DacPath";
        }

        return WhyUntrustedGivenAndResolved(full, isFolder: false);
    }

    /// <summary>
    /// Null when no user but root and the current one could swap, rename or plant files in <paramref name="folder"/>: the
    /// folder and every folder above it (as given and with links resolved) are owned by root or the current user and not
    /// writable by group or others unless sticky (a root-owned 1777 /tmp passes: others cannot touch what they do not own in
    /// it), and every symbolic link on the way is owned by root or the current user (another user's link can be re-pointed
    /// between the check and the write). A folder that does not exist yet is judged by the nearest one above it that does,
    /// since that is where it will be created. Otherwise why not, naming the folder or link at fault. Not checked (null) on
    /// operating systems other than Linux and Windows.
    /// </summary>
    public static string? WhyUntrustedFolder(string folder)
    {
        string full;
        try
        {
            full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }

        if (OperatingSystem.IsWindows())
        {
            string? existing = full;
            while (existing is not null && !Directory.Exists(existing))
            {
                existing = Path.GetDirectoryName(existing);
            }

            return existing is null ? null : WhyUntrustedWindows(existing, isFolder: true);
        }

        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        string? nearest = full;
        while (nearest is not null && UnixStat.Get(nearest, followLink: false, out _) is null)
        {
            nearest = Path.GetDirectoryName(nearest);
        }

        if (nearest is null)
        {
            return null;
        }

        return WhyUntrustedGivenAndResolved(nearest, isFolder: true);
    }

    /// <summary>
    /// The chain of <paramref name="full"/> as given (a folder on it that others may write could swap a link or a file under
    /// us), then, when links make it another path, the resolved chain.
    /// </summary>
    private static string? WhyUntrustedGivenAndResolved(string full, bool isFolder)
    {
        string? reason = WhyUntrustedChain(full, isFolder);
        if (reason is not null)
        {
            return reason;
        }

        string? real = UnixStat.RealPath(full);
        if (real is null)
        {
            return $"'{full}' cannot be resolved";
        }

        return real == full ? null : WhyUntrustedChain(real, isFolder);
    }

    private static string? WhyUntrustedChain(string full, bool isFolder = false)
    {
        uint me = UnixStat.EffectiveUserId;
        bool first = !isFolder;
        for (string? p = full; p is not null; p = Path.GetDirectoryName(p))
        {
            UnixStat? st = UnixStat.Get(p, followLink: false, out string? error);
            if (st is null)
            {
                return $"'{p}' cannot be checked: {error}";
            }

            UnixStat s = st.Value;
            if (s.Type == UnixStat.SymbolicLink)
            {
                // A link's own mode means nothing, but its owner may re-point it at any time (even in a sticky folder); the
                // folder holding it is checked next, its target by the resolved path.
                if (s.Uid != 0 && s.Uid != me)
                {
                    return $"the symbolic link '{p}' is owned by uid {s.Uid}, neither root nor the current user (it can be re-pointed)";
                }

                first = false;
                continue;
            }

            string what = first ? "the file" : p == full ? "the folder" : "its folder";
            if (s.Uid != 0 && s.Uid != me)
            {
                return $"{what} '{p}' is owned by uid {s.Uid}, neither root nor the current user";
            }

            bool othersWrite = (s.Mode & (UnixStat.GroupWrite | UnixStat.OtherWrite)) != 0;
            bool stickyFolder = s.Type == UnixStat.Directory && (s.Mode & UnixStat.Sticky) != 0 && !first;
            if (othersWrite && !stickyFolder)
            {
                return $"{what} '{p}' is writable by {((s.Mode & UnixStat.OtherWrite) != 0 ? "others" : "its group")} (mode {Convert.ToString(s.Mode & 0xFFF, 8)})";
            }

            first = false;
        }

        return null;
    }

    /// <summary>
    /// Windows: the file and each folder up to the drive root are owned by SYSTEM, Administrators, TrustedInstaller or the
    /// current user, and no allow-ACE gives anyone else a right that changes content, names or permissions.
    /// </summary>
    [SupportedOSPlatform("windows")]
    private static string? WhyUntrustedWindows(string full, bool isFolder)
    {
        SecurityIdentifier? me = WindowsIdentity.GetCurrent().User;
        var trusted = new HashSet<SecurityIdentifier>
        {
            new(WellKnownSidType.LocalSystemSid, null),
            new(WellKnownSidType.BuiltinAdministratorsSid, null),
            // NT SERVICE\TrustedInstaller, the owner of the Windows and Program Files trees.
            new("S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"),
        };
        if (me is not null)
        {
            trusted.Add(me);
        }

        const FileSystemRights fileWrites = FileSystemRights.WriteData | FileSystemRights.AppendData | FileSystemRights.WriteAttributes
            | FileSystemRights.WriteExtendedAttributes | FileSystemRights.Delete | FileSystemRights.ChangePermissions | FileSystemRights.TakeOwnership;
        const FileSystemRights folderWrites = fileWrites | FileSystemRights.DeleteSubdirectoriesAndFiles;

        bool first = !isFolder;
        for (string? p = full; p is not null; p = Path.GetDirectoryName(p))
        {
            FileSystemSecurity security;
            try
            {
                security = first ? new FileInfo(p).GetAccessControl() : new DirectoryInfo(p).GetAccessControl();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PrivilegeNotHeldException)
            {
                return $"the permissions of '{p}' cannot be read: {e.Message}";
            }

            string what = first ? "the file" : p == full ? "the folder" : "its folder";
            if (security.GetOwner(typeof(SecurityIdentifier)) is SecurityIdentifier owner && !trusted.Contains(owner))
            {
                return $"{what} '{p}' is owned by {Name(owner)}, neither an administrator nor the current user";
            }

            foreach (FileSystemAccessRule rule in security.GetAccessRules(includeExplicit: true, includeInherited: true, typeof(SecurityIdentifier)))
            {
                if (rule.AccessControlType != AccessControlType.Allow || (rule.PropagationFlags & PropagationFlags.InheritOnly) != 0)
                {
                    continue;
                }

                FileSystemRights writes = first ? fileWrites : folderWrites;
                if ((rule.FileSystemRights & writes) != 0 && rule.IdentityReference is SecurityIdentifier sid && !trusted.Contains(sid))
                {
                    return $"{what} '{p}' is writable by {Name(sid)}";
                }
            }

            first = false;
        }

        return null;
    }

    [SupportedOSPlatform("windows")]
    private static string Name(SecurityIdentifier sid)
    {
        try
        {
            return sid.Translate(typeof(NTAccount)).Value;
        }
        catch (IdentityNotMappedException)
        {
            return sid.Value;
        }
    }
}
