namespace GcTriage.Core;

/// <summary>
/// A file being written under a temporary name beside its target (see <see cref="OwnerOnlyFile"/>). Dispose renames it into
/// place; a write or flush that failed (a full disk), or <see cref="Discard"/>, removes it instead, leaving the target as it was.
/// </summary>
public sealed class OwnerOnlyFileStream : FileStream
{
    private readonly string _temp;
    private readonly bool _overwrite;
    private bool _discarded;
    private bool _failed;
    private bool _finished;

    internal OwnerOnlyFileStream(string temp, string target, bool overwrite, FileStreamOptions options)
        : base(temp, options)
    {
        _temp = temp;
        Target = target;
        _overwrite = overwrite;
    }

    /// <summary>The path the file takes when disposed.</summary>
    public string Target { get; }

    /// <summary>Nothing of this file will be kept: Dispose removes it.</summary>
    public void Discard() => _discarded = true;

    public override void Write(byte[] buffer, int offset, int count) => Guard(() => base.Write(buffer, offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            base.Write(buffer);
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    public override void WriteByte(byte value) => Guard(() => base.WriteByte(value));

    public override void Flush(bool flushToDisk) => Guard(() => base.Flush(flushToDisk));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await base.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing || _finished)
        {
            base.Dispose(disposing);
            return;
        }

        _finished = true;
        try
        {
            base.Dispose(true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            OwnerOnlyFile.TryDelete(_temp);
            if (_failed)
            {
                return; // the write's own exception is on its way up: do not hide it behind this one
            }

            throw ErrorCatalog.FromException(e, Target);
        }

        if (_discarded || _failed)
        {
            OwnerOnlyFile.TryDelete(_temp);
            return;
        }

        try
        {
            OwnerOnlyFile.CheckTarget(Target, _overwrite);
            OwnerOnlyFile.Rename(_temp, Target, _overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or GcTriageException)
        {
            OwnerOnlyFile.TryDelete(_temp);
            throw ErrorCatalog.FromException(e, Target);
        }
    }

    private void Guard(Action write)
    {
        try
        {
            write();
        }
        catch
        {
            _failed = true;
            throw;
        }
    }
}
