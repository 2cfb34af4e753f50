using System.Buffers.Binary;
using System.Numerics;

namespace GcTriage.Core;

/// <summary>
/// A 128-bit hash of a string's characters and length: two independent 64-bit multiply-rotate lanes, so that distinct values of a
/// heap of millions of strings do not collide in practice. Values are never kept, only these.
/// </summary>
internal readonly record struct StringHash(ulong A, ulong B)
{
    private const ulong P1 = 0x9E3779B185EBCA87UL;
    private const ulong P2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong P3 = 0x165667B19E3779F9UL;
    private const ulong P4 = 0xD6E8FEB86659FD93UL;

    public static StringHash Of(ReadOnlySpan<byte> chars, int length)
    {
        ulong a = P3 ^ (ulong)length;
        ulong b = P4 + (ulong)length;
        int i = 0;
        for (; i + 8 <= chars.Length; i += 8)
        {
            ulong v = BinaryPrimitives.ReadUInt64LittleEndian(chars.Slice(i));
            a = BitOperations.RotateLeft((a ^ v) * P1, 31);
            b = BitOperations.RotateLeft((b + v) * P2, 27) ^ a;
        }

        ulong tail = 0;
        for (int shift = 0; i < chars.Length; i++, shift += 8)
        {
            tail |= (ulong)chars[i] << shift;
        }

        a = BitOperations.RotateLeft((a ^ tail) * P1, 31);
        b = BitOperations.RotateLeft((b + tail) * P2, 27) ^ a;
        return new StringHash(Mix(a), Mix(b ^ P3));
    }

    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= P2;
        h ^= h >> 29;
        h *= P3;
        return h ^ (h >> 32);
    }

    public override int GetHashCode() => (int)A;
}
