using System.Buffers.Binary;

namespace GcTriage.Core.Tests;

/// <summary>
/// Writes into an ELF core dump (64-bit, little-endian) by target address: maps a virtual address to its file offset through
/// the PT_LOAD program headers, as a debugger reads it. Used to damage copies of fixture dumps for real.
/// </summary>
public sealed class ElfCoreFile
{
    private const uint PtLoad = 1;
    private const uint PtNote = 4;

    private readonly string _path;
    private readonly List<(uint Type, ulong Offset, ulong Address, ulong FileSize)> _segments = new();

    public ElfCoreFile(string path)
    {
        _path = path;
        using var stream = File.OpenRead(path);
        var header = new byte[64];
        stream.ReadExactly(header);
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[4] != 2 || header[5] != 1)
        {
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file");
        }

        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x20));
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x36));
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x38));
        var table = new byte[phentsize * phnum];
        stream.Position = (long)phoff;
        stream.ReadExactly(table);
        for (int i = 0; i < phnum; i++)
        {
            ReadOnlySpan<byte> ph = table.AsSpan(i * phentsize, phentsize);
            _segments.Add((BinaryPrimitives.ReadUInt32LittleEndian(ph), BinaryPrimitives.ReadUInt64LittleEndian(ph[0x08..]),
                BinaryPrimitives.ReadUInt64LittleEndian(ph[0x10..]), BinaryPrimitives.ReadUInt64LittleEndian(ph[0x20..])));
        }
    }

    /// <summary>The file offset that holds the target's byte at <paramref name="address"/>.</summary>
    public long OffsetOf(ulong address)
    {
        foreach (var s in _segments)
        {
            if (s.Type == PtLoad && address >= s.Address && address - s.Address < s.FileSize)
            {
                return (long)(s.Offset + (address - s.Address));
            }
        }

        throw new ArgumentOutOfRangeException(nameof(address), $"0x{address:x} is in no PT_LOAD segment of {_path}");
    }

    /// <summary>File offset and size of the first PT_NOTE segment.</summary>
    public (long Offset, long Size) Note
    {
        get
        {
            var note = _segments.First(s => s.Type == PtNote);
            return ((long)note.Offset, (long)note.FileSize);
        }
    }

    public uint ReadUInt32(ulong address)
    {
        using var stream = File.OpenRead(_path);
        stream.Position = OffsetOf(address);
        var b = new byte[4];
        stream.ReadExactly(b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    public void WriteUInt32(ulong address, uint value) => WriteAt(OffsetOf(address), BitConverter.GetBytes(value));

    public void WriteAt(long offset, byte[] bytes)
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Write);
        stream.Position = offset;
        stream.Write(bytes);
    }
}
