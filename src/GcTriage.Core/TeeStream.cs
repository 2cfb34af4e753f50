namespace GcTriage.Core;

/// <summary>
/// Passes an EventPipe session's stream to the parser and copies every byte it reads into a file (-OutFile): the stream is read once.
/// Shared by the pause and allocation sessions.
/// Read returns as soon as the inner stream has any bytes (it never waits to fill the caller's buffer). A failed write of the
/// copy (a full disk) is raised as TraceWriteFailedException and kept in <see cref="Failure"/>: the parser may wrap what a
/// read throws, and the reader reports this one, not the parser's.
/// </summary>
internal sealed class TeeStream(Stream inner, Stream copy, string? copyPath = null) : ForwardOnlyStream
{
    public Stream Inner => inner;

    /// <summary>The write failure of the copy, once one happened.</summary>
    public TraceWriteFailedException? Failure { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        int n = inner.Read(buffer);
        if (n > 0)
        {
            try
            {
                copy.Write(buffer[..n]);
            }
            catch (IOException e)
            {
                Failure = new TraceWriteFailedException(copyPath ?? "the trace file", e);
                throw Failure;
            }
        }

        return n;
    }

    public override void Flush() => copy.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                if (Failure is null)
                {
                    copy.Flush();
                }
            }
            finally
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
