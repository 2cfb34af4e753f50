using Microsoft.Diagnostics.NETCore.Client;

namespace GcTriage.Core;

/// <summary>Dump kinds Watch-GcPause can capture (the names Save-GcDump uses).</summary>
public enum PauseDumpType
{
    Heap,
    Full,
    Mini,
    Triage,
}

/// <summary>
/// Writes a dump of a live process for Watch-GcPause through the diagnostics channel (the runtime's createdump), into a file that is
/// readable by its owner only. (Save-GcDump's DumpWriter does the same job for the lead's cmdlet; the two are to be unified.)
/// </summary>
public sealed class PauseDumpWriter
{
    public FileInfo Write(int processId, string path, PauseDumpType type)
    {
        string full = Path.GetFullPath(path);
        // Create it empty with mode 0600 first: createdump truncates an existing file and keeps its mode.
        PrivateFile.Create(full, force: false).Dispose();
        try
        {
            var client = new DiagnosticsClient(processId);
            client.WriteDump(type switch
            {
                PauseDumpType.Full => DumpType.Full,
                PauseDumpType.Mini => DumpType.Normal,
                PauseDumpType.Triage => DumpType.Triage,
                _ => DumpType.WithHeap,
            }, full, logDumpGeneration: false);
        }
        catch (Exception e) when (e is ServerNotAvailableException or ServerErrorException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            TryDelete(full);
            throw new DumpCaptureException(processId, full, e.Message, e);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new FileInfo(full);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
