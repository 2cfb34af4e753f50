using System.Buffers.Binary;

namespace GcTriage.Core;

/// <summary>Reads the GNU build-id note of an ELF file (what ties a libcoreclr.so in a dump to one on disk).</summary>
public static class ElfBuildId
{
    private const uint PtNote = 4;
    private const uint NtGnuBuildId = 3;

    /// <summary>The build-id as lowercase hex, or null when the file is not ELF or has no build-id note.</summary>
    public static string? Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> header = stackalloc byte[64];
            if (stream.Read(header) < 64 || header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
            {
                return null;
            }

            bool is64 = header[4] == 2;
            bool little = header[5] == 1;
            ulong phoff = is64 ? U64(header[0x20..], little) : U32(header[0x1c..], little);
            int phentsize = U16(is64 ? header[0x36..] : header[0x2a..], little);
            int phnum = U16(is64 ? header[0x38..] : header[0x2c..], little);
            var ph = new byte[phentsize];
            for (int i = 0; i < phnum; i++)
            {
                stream.Position = (long)phoff + (long)i * phentsize;
                if (stream.Read(ph) != phentsize)
                {
                    return null;
                }

                if (U32(ph, little) != PtNote)
                {
                    continue;
                }

                ulong offset = is64 ? U64(ph.AsSpan(0x08), little) : U32(ph.AsSpan(0x04), little);
                ulong size = is64 ? U64(ph.AsSpan(0x20), little) : U32(ph.AsSpan(0x10), little);
                if (size > 1 << 20)
                {
                    continue;
                }

                var notes = new byte[size];
                stream.Position = (long)offset;
                stream.ReadExactly(notes);
                string? id = FindBuildId(notes, little);
                if (id is not null)
                {
                    return id;
                }
            }

            return null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? FindBuildId(ReadOnlySpan<byte> notes, bool little)
    {
        int pos = 0;
        while (pos + 12 <= notes.Length)
        {
            int namesz = (int)U32(notes[pos..], little);
            int descsz = (int)U32(notes[(pos + 4)..], little);
            uint type = U32(notes[(pos + 8)..], little);
            int nameStart = pos + 12;
            int descStart = nameStart + Align4(namesz);
            if (namesz < 0 || descsz < 0 || descStart + descsz > notes.Length)
            {
                return null;
            }

            if (type == NtGnuBuildId && namesz == 4 && notes.Slice(nameStart, 3).SequenceEqual("GNU"u8))
            {
                return Convert.ToHexStringLower(notes.Slice(descStart, descsz));
            }

            pos = descStart + Align4(descsz);
        }

        return null;
    }

    private static int Align4(int n) => (n + 3) & ~3;

    private static ushort U16(ReadOnlySpan<byte> b, bool little) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static uint U32(ReadOnlySpan<byte> b, bool little) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    private static ulong U64(ReadOnlySpan<byte> b, bool little) => little ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b);
}
