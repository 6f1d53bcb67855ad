using System.Buffers.Binary;
using System.Text;

namespace Signage.Media.Tests.Builders;

/// <summary>Big-endian writes into a growable buffer, for building fixture files byte by byte.</summary>
internal sealed class BigEndianWriter
{
    private readonly MemoryStream _stream = new();

    public long Length => _stream.Length;

    public BigEndianWriter U8(int value)
    {
        _stream.WriteByte((byte)value);
        return this;
    }

    public BigEndianWriter U16(int value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)value);
        _stream.Write(b);
        return this;
    }

    public BigEndianWriter U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _stream.Write(b);
        return this;
    }

    public BigEndianWriter U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        _stream.Write(b);
        return this;
    }

    public BigEndianWriter Ascii(string text)
    {
        _stream.Write(Encoding.ASCII.GetBytes(text));
        return this;
    }

    public BigEndianWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        return this;
    }

    public BigEndianWriter Zeros(int count)
    {
        _stream.Write(new byte[count]);
        return this;
    }

    public byte[] ToArray() => _stream.ToArray();
}
