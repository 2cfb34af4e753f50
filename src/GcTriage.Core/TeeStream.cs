namespace GcTriage.Core;

/// <summary>
/// Passes an EventPipe session's stream to the parser and copies every byte it reads into a file (-OutFile): the stream is read once.
/// Shared by the pause and allocation sessions.
/// Read returns as soon as the inner stream has any bytes (it never waits to fill the caller's buffer).
/// </summary>
internal sealed class TeeStream(Stream inner, Stream copy) : Stream
{
    public Stream Inner => inner;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = inner.Read(buffer, offset, count);
        if (n > 0)
        {
            copy.Write(buffer, offset, n);
        }

        return n;
    }

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (n > 0)
        {
            copy.Write(buffer[..n]);
        }

        return n;
    }

    public override void Flush() => copy.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            copy.Flush();
        }

        base.Dispose(disposing);
    }
}
