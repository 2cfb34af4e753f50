using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// Reads the target's memory in 1 MB windows for a caller that visits addresses in increasing order (objects of the heap index):
/// one read per window instead of one per object. <see cref="Reset"/> bounds the windows by a segment's end (the reference graph's
/// walk reads pointers); without it a window reads a full megabyte (the duplicate strings' characters).
/// </summary>
internal sealed class MemoryWindow(IDataReader reader)
{
    private const int DefaultWindow = 1 << 20;
    private const int PointerSize = 8;

    private byte[] _buffer = new byte[DefaultWindow];
    private ulong _base;
    private ulong _length;
    private ulong _usable;
    private ulong _limit = ulong.MaxValue;

    /// <summary>Starts a segment: windows never go past <paramref name="limit"/> (its last object's end).</summary>
    public void Reset(ulong limit)
    {
        _limit = limit;
        _base = 0;
        _length = 0;
        _usable = 0;
    }

    /// <summary>The pointer at <paramref name="address"/>, or 0 when the target does not have it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Pointer(ulong address)
    {
        ulong offset = address - _base;
        return offset < _usable ? MemoryMarshal.Read<ulong>(_buffer.AsSpan((int)offset)) : RefillPointer(address);
    }

    /// <summary>The bytes [address, address + length), or an empty span when the target does not have them all.</summary>
    public ReadOnlySpan<byte> Get(ulong address, int length)
    {
        ulong offset = address - _base;
        if (offset <= _length && (ulong)length <= _length - offset)
        {
            return _buffer.AsSpan((int)offset, length);
        }

        if (length > _buffer.Length)
        {
            _buffer = new byte[length];
        }

        if (Fill(address, length) < length)
        {
            // The end of a mapped range: read exactly what was asked for.
            Keep(address, reader.Read(address, _buffer.AsSpan(0, length)));
        }

        return _length >= (ulong)length ? _buffer.AsSpan(0, length) : ReadOnlySpan<byte>.Empty;
    }

    private ulong RefillPointer(ulong address) => Fill(address, PointerSize) >= PointerSize ? MemoryMarshal.Read<ulong>(_buffer) : 0;

    /// <summary>Reads a window at <paramref name="address"/>: up to 1 MB short of the limit, and at least <paramref name="length"/> bytes.</summary>
    private int Fill(ulong address, int length)
    {
        ulong room = _limit > address ? Math.Min(DefaultWindow, _limit - address) : 0;
        return Keep(address, reader.Read(address, _buffer.AsSpan(0, (int)Math.Max(room, (ulong)length))));
    }

    private int Keep(ulong address, int read)
    {
        _base = address;
        _length = read > 0 ? (ulong)read : 0;
        _usable = read >= PointerSize ? (ulong)(read - PointerSize + 1) : 0;
        return read;
    }
}
