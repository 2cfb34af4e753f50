using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// Reads the target's memory in large windows for a caller that visits addresses in increasing order (objects of the heap index):
/// one read per window instead of one per object.
/// </summary>
internal sealed class MemoryWindow
{
    private const int DefaultWindow = 1 << 20;

    private readonly IDataReader _reader;
    private byte[] _buffer = new byte[DefaultWindow];
    private ulong _start;
    private int _length;

    public MemoryWindow(IDataReader reader)
    {
        _reader = reader;
    }

    /// <summary>The bytes [address, address + length), or an empty span when the target does not have them all.</summary>
    public ReadOnlySpan<byte> Get(ulong address, int length)
    {
        if (address >= _start && address + (ulong)length <= _start + (ulong)_length)
        {
            return _buffer.AsSpan((int)(address - _start), length);
        }

        if (length > _buffer.Length)
        {
            _buffer = new byte[length];
        }

        _start = address;
        _length = _reader.Read(address, _buffer.AsSpan(0, Math.Max(length, DefaultWindow)));
        if (_length < length)
        {
            // The end of a mapped range: read exactly what was asked for.
            _length = _reader.Read(address, _buffer.AsSpan(0, length));
        }

        return _length >= length ? _buffer.AsSpan(0, length) : ReadOnlySpan<byte>.Empty;
    }
}
