namespace Signage.Media;

/// <summary>Reads a JPEG's dimensions by walking its marker segments up to the frame header (SOF),
/// then checks that the file ends with EOI so a cut-off upload is caught without decoding.</summary>
internal static class JpegReader
{
    private const string CutOff = "The JPEG file is cut off: it ends before the image is complete.";
    private const string Damaged = "The JPEG file is damaged: ";

    public static (int Width, int Height) Read(Stream stream)
    {
        var source = new ByteSource(stream, CutOff);
        (int width, int height) = ReadFrameHeader(source);

        if (source.Length < 4 || source.ReadUInt16(source.Length - 2) != 0xFFD9)
        {
            throw new MediaCorruptException(CutOff);
        }

        return (width, height);
    }

    private static (int Width, int Height) ReadFrameHeader(ByteSource source)
    {
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

            if (marker is 0x00 or 0xD8 or 0xD9 or 0xDA)
            {
                // Stuffing, a second SOI, EOI or the start of scan: the frame header never came.
                throw new MediaCorruptException(Damaged + "it has no frame header (SOF), so its size is unknown.");
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

            if (IsFrameHeader(marker))
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

            pos += length;
        }
    }

    // SOF0..SOF15, except the codes in that range that mean something else: DHT, JPG and DAC.
    private static bool IsFrameHeader(byte marker) =>
        marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
}
