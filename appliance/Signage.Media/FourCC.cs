namespace Signage.Media;

/// <summary>Four-character codes of the ISO-BMFF boxes and sample entries the inspector knows,
/// as big-endian integers so that box types compare without allocating strings.</summary>
internal static class FourCC
{
    public const uint Ftyp = 'f' << 24 | 't' << 16 | 'y' << 8 | 'p';
    public const uint Moov = 'm' << 24 | 'o' << 16 | 'o' << 8 | 'v';
    public const uint Moof = 'm' << 24 | 'o' << 16 | 'o' << 8 | 'f';
    public const uint Mvex = 'm' << 24 | 'v' << 16 | 'e' << 8 | 'x';
    public const uint Mvhd = 'm' << 24 | 'v' << 16 | 'h' << 8 | 'd';
    public const uint Trak = 't' << 24 | 'r' << 16 | 'a' << 8 | 'k';
    public const uint Tkhd = 't' << 24 | 'k' << 16 | 'h' << 8 | 'd';
    public const uint Mdia = 'm' << 24 | 'd' << 16 | 'i' << 8 | 'a';
    public const uint Mdhd = 'm' << 24 | 'd' << 16 | 'h' << 8 | 'd';
    public const uint Hdlr = 'h' << 24 | 'd' << 16 | 'l' << 8 | 'r';
    public const uint Minf = 'm' << 24 | 'i' << 16 | 'n' << 8 | 'f';
    public const uint Stbl = 's' << 24 | 't' << 16 | 'b' << 8 | 'l';
    public const uint Stsd = 's' << 24 | 't' << 16 | 's' << 8 | 'd';
    public const uint Stts = 's' << 24 | 't' << 16 | 't' << 8 | 's';
    public const uint Stsz = 's' << 24 | 't' << 16 | 's' << 8 | 'z';
    public const uint AvcC = 'a' << 24 | 'v' << 16 | 'c' << 8 | 'C';
    public const uint Trex = 't' << 24 | 'r' << 16 | 'e' << 8 | 'x';
    public const uint Traf = 't' << 24 | 'r' << 16 | 'a' << 8 | 'f';
    public const uint Tfhd = 't' << 24 | 'f' << 16 | 'h' << 8 | 'd';
    public const uint Trun = 't' << 24 | 'r' << 16 | 'u' << 8 | 'n';
    public const uint Esds = 'e' << 24 | 's' << 16 | 'd' << 8 | 's';
    public const uint Wave = 'w' << 24 | 'a' << 16 | 'v' << 8 | 'e';

    // Handler types.
    public const uint Vide = 'v' << 24 | 'i' << 16 | 'd' << 8 | 'e';
    public const uint Soun = 's' << 24 | 'o' << 16 | 'u' << 8 | 'n';

    // Sample entries.
    public const uint Avc1 = 'a' << 24 | 'v' << 16 | 'c' << 8 | '1';
    public const uint Avc3 = 'a' << 24 | 'v' << 16 | 'c' << 8 | '3';
    public const uint Hvc1 = 'h' << 24 | 'v' << 16 | 'c' << 8 | '1';
    public const uint Hev1 = 'h' << 24 | 'e' << 16 | 'v' << 8 | '1';
    public const uint Vp08 = 'v' << 24 | 'p' << 16 | '0' << 8 | '8';
    public const uint Vp09 = 'v' << 24 | 'p' << 16 | '0' << 8 | '9';
    public const uint Av01 = 'a' << 24 | 'v' << 16 | '0' << 8 | '1';
    public const uint Mp4v = 'm' << 24 | 'p' << 16 | '4' << 8 | 'v';
    public const uint Mp4a = 'm' << 24 | 'p' << 16 | '4' << 8 | 'a';
    public const uint Ac3 = 'a' << 24 | 'c' << 16 | '-' << 8 | '3';
    public const uint Ec3 = 'e' << 24 | 'c' << 16 | '-' << 8 | '3';
    public const uint Opus = 'O' << 24 | 'p' << 16 | 'u' << 8 | 's';
    public const uint Flac = 'f' << 24 | 'L' << 16 | 'a' << 8 | 'C';
    public const uint Mp3 = '.' << 24 | 'm' << 16 | 'p' << 8 | '3';

    /// <summary>The code as text for messages; bytes that are not printable ASCII show as '?'.</summary>
    public static string ToText(uint code) => string.Create(4, code, static (chars, c) =>
    {
        for (int i = 0; i < 4; i++)
        {
            char ch = (char)((c >> (24 - (8 * i))) & 0xFF);
            chars[i] = ch is >= ' ' and <= '~' ? ch : '?';
        }
    });
}
