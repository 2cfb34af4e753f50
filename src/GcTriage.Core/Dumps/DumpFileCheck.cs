using System.Buffers.Binary;

namespace GcTriage.Core;

/// <summary>
/// Checks, before ClrMD reads a dump, that the file holds everything its own headers promise: an ELF core whose PT_LOAD segments
/// reach past the end of the file, or a minidump whose memory list does, was cut short (a copy that did not finish, a full disk).
/// </summary>
public static class DumpFileCheck
{
    /// <summary>Null when the file looks whole (or is of a kind not checked here); otherwise what is wrong.</summary>
    public static string? FindTruncation(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long length = stream.Length;
        Span<byte> head = stackalloc byte[64];
        int read = stream.Read(head);
        if (read >= 64 && head[0] == 0x7f && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F' && head[4] == 2 && head[5] == 1)
        {
            return CheckElf(stream, head, length);
        }

        if (read >= 32 && head[0] == (byte)'M' && head[1] == (byte)'D' && head[2] == (byte)'M' && head[3] == (byte)'P')
        {
            return CheckMinidump(stream, head, length);
        }

        return null;
    }

    private static string? CheckElf(FileStream stream, ReadOnlySpan<byte> header, long length)
    {
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]);
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x36..]);
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(header[0x38..]);
        if (phentsize < 56 || (long)phoff + (long)phentsize * phnum > length)
        {
            return $"its program headers end past the end of the file ({length:N0} bytes)";
        }

        var table = new byte[phentsize * phnum];
        stream.Position = (long)phoff;
        stream.ReadExactly(table);
        ulong needed = 0;
        for (int i = 0; i < phnum; i++)
        {
            ReadOnlySpan<byte> ph = table.AsSpan(i * phentsize, phentsize);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(ph[0x08..]);
            ulong fileSize = BinaryPrimitives.ReadUInt64LittleEndian(ph[0x20..]);
            needed = Math.Max(needed, offset + fileSize);
        }

        return needed > (ulong)length ? $"it is truncated: its segments need {needed:N0} bytes, the file has {length:N0}" : null;
    }

    private static string? CheckMinidump(FileStream stream, ReadOnlySpan<byte> header, long length)
    {
        uint streams = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        uint directoryRva = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (directoryRva + 12L * streams > length)
        {
            return $"its stream directory ends past the end of the file ({length:N0} bytes)";
        }

        var directory = new byte[12 * streams];
        stream.Position = directoryRva;
        stream.ReadExactly(directory);
        long needed = 0;
        for (int i = 0; i < streams; i++)
        {
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(directory.AsSpan(i * 12));
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(directory.AsSpan(i * 12 + 4));
            uint rva = BinaryPrimitives.ReadUInt32LittleEndian(directory.AsSpan(i * 12 + 8));
            needed = Math.Max(needed, (long)rva + size);
            if (type == 9 && rva + 16L <= length)
            {
                // Memory64ListStream: count, base RVA, then (start, size) pairs; the memory itself runs from the base RVA on.
                var list = new byte[16];
                stream.Position = rva;
                stream.ReadExactly(list);
                ulong count = BinaryPrimitives.ReadUInt64LittleEndian(list);
                ulong baseRva = BinaryPrimitives.ReadUInt64LittleEndian(list.AsSpan(8));
                if (rva + 16 + (long)count * 16 > length)
                {
                    return $"it is truncated: its memory list ends past the end of the file ({length:N0} bytes)";
                }

                var ranges = new byte[count * 16];
                stream.ReadExactly(ranges);
                ulong total = 0;
                for (ulong r = 0; r < count; r++)
                {
                    total += BinaryPrimitives.ReadUInt64LittleEndian(ranges.AsSpan((int)(r * 16 + 8)));
                }

                needed = Math.Max(needed, (long)(baseRva + total));
            }
        }

        return needed > length ? $"it is truncated: it needs {needed:N0} bytes, the file has {length:N0}" : null;
    }
}
