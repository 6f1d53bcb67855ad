namespace Signage.Media;

/// <summary>CRC-32 (ISO-HDLC, polynomial 0xEDB88320) as used by PNG chunks. Written here because
/// System.IO.Hashing is not part of the shared framework.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public const uint Initial = 0xFFFF_FFFF;

    /// <summary>Feeds more bytes into a running CRC that started at <see cref="Initial"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    public static uint Finish(uint crc) => ~crc;

    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Initial, data));

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
