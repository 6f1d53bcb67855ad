namespace Signage.Media.Tests.Builders;

/// <summary>Builds a minimal baseline JPEG's marker structure: SOI, APP0 (JFIF), DQT, SOF0 with the
/// given size, DHT, SOS, a little entropy-coded data, EOI. Decoders would show garbage pixels, but
/// every segment is well-formed, which is all the inspector reads.</summary>
internal static class JpegBuilder
{
    public static byte[] Build(int width, int height, bool withFrameHeader = true, bool withEnd = true, int? app0Length = null)
    {
        var jpeg = new BigEndianWriter().U8(0xFF).U8(0xD8);

        // APP0 JFIF: length 16, "JFIF\0", version 1.1, no density units, 1:1, no thumbnail.
        jpeg.U8(0xFF).U8(0xE0).U16(app0Length ?? 16).Ascii("JFIF").U8(0).U8(1).U8(1).U8(0).U16(1).U16(1).U8(0).U8(0);

        // DQT: one 8-bit table, id 0, 64 entries.
        jpeg.U8(0xFF).U8(0xDB).U16(2 + 1 + 64).U8(0);
        for (int i = 0; i < 64; i++)
        {
            jpeg.U8(16);
        }

        if (withFrameHeader)
        {
            // SOF0: precision 8, height, width, 1 component (id 1, sampling 1×1, table 0).
            jpeg.U8(0xFF).U8(0xC0).U16(2 + 6 + 3).U8(8).U16(height).U16(width).U8(1).U8(1).U8(0x11).U8(0);
        }

        // DHT: DC table 0 with a single one-bit code for category 0.
        jpeg.U8(0xFF).U8(0xC4).U16(2 + 1 + 16 + 1).U8(0x00).U8(1).Zeros(15).U8(0);

        // SOS: one component, tables 0/0, spectral 0–63, approximation 0.
        jpeg.U8(0xFF).U8(0xDA).U16(2 + 1 + 2 + 3).U8(1).U8(1).U8(0x00).U8(0).U8(63).U8(0);
        jpeg.Bytes([0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0]);

        if (withEnd)
        {
            jpeg.U8(0xFF).U8(0xD9);
        }

        return jpeg.ToArray();
    }
}
