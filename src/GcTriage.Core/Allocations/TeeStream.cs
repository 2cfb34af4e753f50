namespace GcTriage.Core;

/// <summary>A read-only stream that copies everything read from its source into a second stream (the raw .nettrace kept by -OutFile).</summary>
internal sealed class TeeStream(Stream source, Stream copy) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = source.Read(buffer, offset, count);
        if (n > 0)
        {
            copy.Write(buffer, offset, n);
        }

        return n;
    }

    public override int Read(Span<byte> buffer)
    {
        int n = source.Read(buffer);
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
}
