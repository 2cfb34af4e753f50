using System.Runtime.InteropServices;

namespace GcTriage.Core;

/// <summary>
/// Root dumping another user's process: the runtime's createdump runs as the target's user, so the private staging folder is
/// lent to that user (owner its uid and gid, still 0700: nobody else gets in) for the dump's time, then taken back. lchown:
/// a link planted in the folder is never followed.
/// </summary>
internal static class StagingOwner
{
    /// <summary>True when we are root and the target runs as another user: its createdump cannot write into a folder of ours.</summary>
    public static bool ShouldLend(ProcessProbeResult target) =>
        OperatingSystem.IsLinux() && UnixStat.EffectiveUserId == 0 && target.UserId is uint uid && uid != 0;

    /// <summary>Lends <paramref name="folder"/> to the target's user (owner its uid and gid, mode unchanged).</summary>
    public static void LendTo(string folder, ProcessProbeResult target) =>
        Change(folder, target.UserId!.Value, target.GroupId ?? uint.MaxValue);

    /// <summary>Gives <paramref name="path"/> back to us (root).</summary>
    public static void TakeBack(string path)
    {
        if (OperatingSystem.IsLinux() && UnixStat.EffectiveUserId == 0)
        {
            Change(path, 0, 0);
        }
    }

    private static void Change(string path, uint uid, uint gid)
    {
        if (Native.lchown(path, uid, gid) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new GcTriageException(ErrorCatalog.DumpWriteFailed,
                $"Could not change the owner of the dump's staging path '{path}' to uid {uid}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", path);
        }
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)]
        public static extern int lchown(string path, uint owner, uint group);
    }
}
