using System.Buffers.Binary;

namespace Signage.Media;

/// <summary>Reads a JPEG's size by walking its marker segments and scans up to the end marker (EOI), so a
/// cut-off upload is caught without decoding. Bytes after EOI are not the image's: phones append a whole
/// video ("motion photos"), cameras and editors append trailers or padding, and every decoder ignores
/// them, so they are ignored here too. The size reported is the displayed one: EXIF orientations 5–8
/// turn the picture on its side, and browsers and image loaders honour them.</summary>
internal static class JpegReader
{
    private const string CutOff = "The JPEG file is cut off: it ends before the image is complete.";
    private const string Damaged = "The JPEG file is damaged: ";

    // Room for any marker segment (the length field is 16-bit), and the chunk the scan data is searched in.
    private const int BufferBytes = 64 * 1024;

    public static (int Width, int Height) Read(Stream stream)
    {
        var source = new ByteSource(stream, CutOff);
        var buffer = new byte[BufferBytes];
        (int Width, int Height)? frame = null;
        int orientation = 1;
        bool sawScan = false;
        long pos = 2; // after SOI
        while (true)
        {
            if (source.ReadByte(pos) != 0xFF)
            {
                throw new MediaCorruptException(Damaged + $"expected a segment marker at byte {pos}.");
            }

            // Any number of 0xFF fill bytes may precede a marker code.
            byte marker;
            do
            {
                pos++;
                marker = source.ReadByte(pos);
            }
            while (marker == 0xFF);
            pos++;

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue; // standalone markers carry no length
            }

            if (marker == 0xD9 && frame is { } size && sawScan)
            {
                // EOI: the image is complete. Whatever follows is a trailer.
                return orientation is >= 5 and <= 8 ? (size.Height, size.Width) : size;
            }

            if (marker is 0x00 or 0xD8 or 0xD9 || (marker == 0xDA && frame is null))
            {
                // Stuffing, a second SOI, an early EOI, or a scan before the frame header.
                throw new MediaCorruptException(Damaged + (frame is null
                    ? "it has no frame header (SOF), so its size is unknown."
                    : "it ends before any image data (no scan)."));
            }

            int length = source.ReadUInt16(pos);
            if (length < 2)
            {
                throw new MediaCorruptException(Damaged + $"a segment at byte {pos} has an impossible length of {length}.");
            }

            if (length > source.Length - pos)
            {
                throw new MediaCorruptException(CutOff);
            }

            if (IsFrameHeader(marker) && frame is null)
            {
                frame = ReadFrameHeader(source, pos, length);
            }
            else if (marker == 0xE1 && orientation == 1)
            {
                Span<byte> app1 = buffer.AsSpan(0, length - 2);
                source.Read(pos + 2, app1);
                orientation = ExifOrientation(app1);
            }

            pos += length;
            if (marker == 0xDA)
            {
                sawScan = true;
                pos = SkipEntropyCodedData(source, pos, buffer);
            }
        }
    }

    private static (int Width, int Height) ReadFrameHeader(ByteSource source, long pos, int length)
    {
        if (length < 8)
        {
            throw new MediaCorruptException(Damaged + "its frame header is too short.");
        }

        int height = source.ReadUInt16(pos + 3);
        int width = source.ReadUInt16(pos + 5);
        if (width == 0 || height == 0)
        {
            throw new MediaCorruptException(Damaged + $"it claims a size of {Wording.Size(width, height)}.");
        }

        return (width, height);
    }

    /// <summary>Finds the marker that ends a scan: the first 0xFF not followed by a stuffed 0x00 or a restart
    /// marker. Returns its offset; running out of file first means the file was cut off.</summary>
    private static long SkipEntropyCodedData(ByteSource source, long pos, byte[] buffer)
    {
        while (true)
        {
            int n = (int)Math.Min(buffer.Length, source.Length - pos);
            if (n < 2)
            {
                throw new MediaCorruptException(CutOff);
            }

            Span<byte> chunk = buffer.AsSpan(0, n);
            source.Read(pos, chunk);
            int i = 0;
            while (true)
            {
                int ff = chunk[i..].IndexOf((byte)0xFF);
                if (ff < 0)
                {
                    pos += n;
                    break;
                }

                i += ff;
                if (i + 1 == n)
                {
                    pos += i; // the code is in the next chunk: read again from this 0xFF
                    break;
                }

                byte code = chunk[i + 1];
                if (code != 0x00 && code is not (>= 0xD0 and <= 0xD7))
                {
                    return pos + i;
                }

                i += 2;
                if (i >= n)
                {
                    pos += n;
                    break;
                }
            }
        }
    }

    /// <summary>The EXIF orientation tag (0x0112) from an APP1 segment's content, or 1 (as stored) when the
    /// segment is not EXIF or the tag is absent or unreadable: decoders then show the pixels as stored.</summary>
    internal static int ExifOrientation(ReadOnlySpan<byte> app1)
    {
        if (!app1.StartsWith("Exif\0\0"u8) || app1.Length < 6 + 8)
        {
            return 1;
        }

        ReadOnlySpan<byte> tiff = app1[6..];
        bool little = tiff.StartsWith("II*\0"u8);
        if (!little && !tiff.StartsWith("MM\0*"u8))
        {
            return 1;
        }

        uint ifd = U32(tiff[4..], little);
        if (ifd > (uint)tiff.Length - 2)
        {
            return 1;
        }

        int count = U16(tiff[(int)ifd..], little);
        for (int i = 0; i < count; i++)
        {
            int entry = (int)ifd + 2 + (i * 12);
            if (entry + 12 > tiff.Length)
            {
                return 1;
            }

            // Entry: tag (2), type (2), count (4), value (4); a SHORT value sits in the first two bytes.
            if (U16(tiff[entry..], little) == 0x0112 && U16(tiff[(entry + 2)..], little) == 3)
            {
                int value = U16(tiff[(entry + 8)..], little);
                return value is >= 1 and <= 8 ? value : 1;
            }
        }

        return 1;
    }

    private static int U16(ReadOnlySpan<byte> b, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static uint U32(ReadOnlySpan<byte> b, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    // SOF0..SOF15, except the codes in that range that mean something else: DHT, JPG and DAC.
    private static bool IsFrameHeader(byte marker) =>
        marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
}
