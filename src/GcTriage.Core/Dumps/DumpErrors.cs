namespace GcTriage.Core;

/// <summary>A DAC found on its own (not given with -DacPath) that others could have written: it is not loaded.</summary>
public sealed class UntrustedDacException(string dacPath, string reason)
    : GcTriageException(ErrorCatalog.UntrustedDac, GcErrorKind.PermissionDenied,
        $"The DAC '{dacPath}' is not loaded: {reason}. A DAC is native code run as the current user: only a file no one else could have written is loaded (for a dump, -DacPath names one you trust).", dacPath);

/// <summary>A dump path that is not a regular file (a FIFO, a device, a folder, a file under /proc or /sys): refused before it is opened.</summary>
public sealed class DumpNotRegularFileException(string path, string what)
    : GcTriageException(ErrorCatalog.DumpNotRegularFile, GcErrorKind.InvalidArgument, $"'{path}' is {what}, not a dump file: only regular files are opened as dumps.", path);
