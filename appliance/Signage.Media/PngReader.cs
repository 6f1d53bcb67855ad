using System.Buffers.Binary;

namespace Signage.Media;

/// <summary>Reads a PNG's dimensions from IHDR and verifies every chunk's length and CRC up to IEND,
/// streaming each chunk through a fixed buffer. Pixel data is not decompressed.</summary>
internal static class PngReader
{
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private const string CutOff = "The PNG file is cut off: it ends before the image is complete.";
    private const string Damaged = "The PNG file is damaged: ";
    private const uint Ihdr = 'I' << 24 | 'H' << 16 | 'D' << 8 | 'R';
    private const uint Idat = 'I' << 24 | 'D' << 16 | 'A' << 8 | 'T';
    private const uint Iend = 'I' << 24 | 'E' << 16 | 'N' << 8 | 'D';

    public static (int Width, int Height) Read(Stream stream)
    {
        var source = new ByteSource(stream, CutOff);
        var buffer = new byte[8192];
        long pos = Signature.Length;
        int width = 0, height = 0;
        bool sawImageData = false;

        while (true)
        {
            // Each chunk: length (4), type (4), data (length), CRC (4) over type and data.
            uint length = source.ReadUInt32(pos);
            uint type = source.ReadUInt32(pos + 4);
            if (length > int.MaxValue || !IsChunkType(type))
            {
                throw new MediaCorruptException(Damaged + $"the chunk header at byte {pos} is garbled.");
            }

            long crcAt = pos + 8 + length;
            if (crcAt > source.Length - 4)
            {
                throw new MediaCorruptException(CutOff);
            }

            VerifyCrc(source, pos + 4, length + 4, source.ReadUInt32(crcAt), type, buffer);

            bool first = pos == Signature.Length;
            if (first != (type == Ihdr))
            {
                throw new MediaCorruptException(Damaged + "its header chunk (IHDR) is missing or out of place.");
            }

            if (type == Ihdr)
            {
                (width, height) = ReadHeader(source, pos + 8, length);
            }
            else if (type == Idat)
            {
                sawImageData = true;
            }
            else if (type == Iend)
            {
                return sawImageData
                    ? (width, height)
                    : throw new MediaCorruptException(Damaged + "it contains no image data.");
            }

            pos = crcAt + 4;
        }
    }

    private static void VerifyCrc(ByteSource source, long from, long count, uint expected, uint type, byte[] buffer)
    {
        uint crc = Crc32.Initial;
        for (long done = 0; done < count;)
        {
            int n = (int)Math.Min(buffer.Length, count - done);
            source.Read(from + done, buffer.AsSpan(0, n));
            crc = Crc32.Append(crc, buffer.AsSpan(0, n));
            done += n;
        }

        if (Crc32.Finish(crc) != expected)
        {
            throw new MediaCorruptException(Damaged + $"its '{FourCC.ToText(type)}' chunk failed its checksum.");
        }
    }

    private static (int Width, int Height) ReadHeader(ByteSource source, long at, uint length)
    {
        if (length != 13)
        {
            throw new MediaCorruptException(Damaged + "its header chunk (IHDR) has the wrong length.");
        }

        Span<byte> ihdr = stackalloc byte[13];
        source.Read(at, ihdr);
        uint width = BinaryPrimitives.ReadUInt32BigEndian(ihdr);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            throw new MediaCorruptException(Damaged + $"it claims a size of {width}×{height}.");
        }

        byte bitDepth = ihdr[8], colourType = ihdr[9];
        bool validDepth = colourType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => false,
        };
        if (!validDepth || ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
        {
            throw new MediaCorruptException(Damaged + "its header chunk (IHDR) describes an impossible pixel format.");
        }

        return ((int)width, (int)height);
    }

    // Chunk types are four ASCII letters; anything else means we are reading garbage.
    private static bool IsChunkType(uint type)
    {
        for (int shift = 0; shift < 32; shift += 8)
        {
            char c = (char)((type >> shift) & 0xFF);
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }
}
