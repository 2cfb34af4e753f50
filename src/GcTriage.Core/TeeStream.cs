namespace GcTriage.Core;

/// <summary>
/// Passes an EventPipe session's stream to the parser and copies every byte it reads into a file (-OutFile): the stream is read once.
/// Shared by the pause and allocation sessions.
/// Read returns as soon as the inner stream has any bytes (it never waits to fill the caller's buffer).
/// </summary>
internal sealed class TeeStream(Stream inner, Stream copy) : ForwardOnlyStream
{
    public Stream Inner => inner;

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

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            copy.Flush();
        }

        base.Dispose(disposing);
    }
}
