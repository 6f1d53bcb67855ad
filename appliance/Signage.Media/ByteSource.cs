using System.Buffers.Binary;

namespace Signage.Media;

/// <summary>
/// Bounds-checked positional reads over a seekable stream. Every offset and length that comes from
/// the file is read through here, so a garbled size can only end in <see cref="MediaCorruptException"/>:
/// never a read past the end and never an allocation sized by the file.
/// </summary>
internal sealed class ByteSource(Stream stream, string cutOffDetail)
{
    public long Length { get; } = stream.Length;

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || destination.Length > Length - offset)
        {
            throw new MediaCorruptException(cutOffDetail);
        }

        stream.Position = offset;
        if (stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) < destination.Length)
        {
            // The stream is shorter than it said it was: treat it like a cut-off file.
            throw new MediaCorruptException(cutOffDetail);
        }
    }

    public byte ReadByte(long offset)
    {
        Span<byte> bytes = stackalloc byte[1];
        Read(offset, bytes);
        return bytes[0];
    }

    public ushort ReadUInt16(long offset)
    {
        Span<byte> bytes = stackalloc byte[2];
        Read(offset, bytes);
        return BinaryPrimitives.ReadUInt16BigEndian(bytes);
    }

    public uint ReadUInt32(long offset)
    {
        Span<byte> bytes = stackalloc byte[4];
        Read(offset, bytes);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public ulong ReadUInt64(long offset)
    {
        Span<byte> bytes = stackalloc byte[8];
        Read(offset, bytes);
        return BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }
}

/// <summary>Thrown by the readers when the bytes contradict their format. The message is the
/// user-facing detail of the resulting FILE_CORRUPT verdict.</summary>
internal sealed class MediaCorruptException(string detail) : Exception(detail);
