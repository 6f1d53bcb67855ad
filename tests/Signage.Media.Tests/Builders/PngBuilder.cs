using System.IO.Compression;

namespace Signage.Media.Tests.Builders;

/// <summary>Writes real PNG files: signature, IHDR, zlib-compressed IDAT, IEND, each chunk with its
/// real CRC (computed here independently of the library's table-driven CRC).</summary>
internal static class PngBuilder
{
    public static byte[] Build(int width, int height, bool withEnd = true)
    {
        var png = new BigEndianWriter().Bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        // 8-bit greyscale keeps even a 4000×3000 image quick to generate.
        byte[] ihdr = new BigEndianWriter().U32((uint)width).U32((uint)height).U8(8).U8(0).U8(0).U8(0).U8(0).ToArray();
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", Pixels(width, height));
        if (withEnd)
        {
            Chunk(png, "IEND", []);
        }

        return png.ToArray();
    }

    public static void Chunk(BigEndianWriter png, string type, byte[] data)
    {
        byte[] typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        png.U32((uint)data.Length).Bytes(typeBytes).Bytes(data).U32(BitwiseCrc32([.. typeBytes, .. data]));
    }

    /// <summary>A diagonal gradient, one filter byte (0) per row, compressed as the PNG spec asks.</summary>
    private static byte[] Pixels(int width, int height)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            byte[] row = new byte[width + 1];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    row[x + 1] = (byte)(x + y);
                }

                zlib.Write(row);
            }
        }

        return compressed.ToArray();
    }

    /// <summary>Bit-at-a-time CRC-32: slow but obviously right, so it cross-checks the library's table.</summary>
    public static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFF_FFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
