using System.Buffers.Binary;

namespace Signage.Media;

/// <summary>The first entry of a track's stsd box: the codec four-character code, the coded size
/// for video, the esds objectTypeIndication for 'mp4a' audio, and the avcC profile for H.264.</summary>
internal sealed record Mp4SampleEntry(uint Format, int Width, int Height, byte? ObjectType, AvcProfile? Avc = null)
{
    // VisualSampleEntry's fixed fields, after which its child boxes (avcC, pasp, colr, btrt…) follow.
    private const int VisualFixedBytes = 78;

    /// <summary>Parses the content of an entry box of type <paramref name="format"/>. <paramref name="body"/>
    /// may be cut short by the caller's buffer; everything needed sits near the start of the entry.</summary>
    public static Mp4SampleEntry Parse(uint format, ReadOnlySpan<byte> body, uint handler)
    {
        if (handler == FourCC.Vide && body.Length >= 28)
        {
            // VisualSampleEntry: reserved(6) data_reference_index(2) pre_defined/reserved(16) width(2) height(2).
            AvcProfile? avc = format is FourCC.Avc1 or FourCC.Avc3 && body.Length > VisualFixedBytes
                ? FindAvcProfile(body[VisualFixedBytes..])
                : null;
            return new(format, BinaryPrimitives.ReadUInt16BigEndian(body[24..]), BinaryPrimitives.ReadUInt16BigEndian(body[26..]), null, avc);
        }

        if (handler == FourCC.Soun && format == FourCC.Mp4a && body.Length >= 28)
        {
            // AudioSampleEntry has 28 fixed bytes; QuickTime sound description versions 1 and 2 add more.
            int fixedBytes = BinaryPrimitives.ReadUInt16BigEndian(body[8..]) switch
            {
                1 => 28 + 16,
                2 => 28 + 36,
                _ => 28,
            };
            return new(format, 0, 0, body.Length > fixedBytes ? FindObjectType(body[fixedBytes..]) : null);
        }

        return new(format, 0, 0, null);
    }

    // avcC: configurationVersion(1), AVCProfileIndication(1), profile_compatibility(1), AVCLevelIndication(1).
    private static AvcProfile? FindAvcProfile(ReadOnlySpan<byte> boxes)
    {
        while (boxes.Length >= 8)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(boxes);
            if (size < 8)
            {
                return null;
            }

            ReadOnlySpan<byte> content = boxes[8..(int)Math.Min(size, (uint)boxes.Length)];
            if (BinaryPrimitives.ReadUInt32BigEndian(boxes[4..]) == FourCC.AvcC)
            {
                return content.Length >= 4 && content[0] == 1 ? new AvcProfile(content[1], content[2], content[3]) : null;
            }

            if (size >= boxes.Length)
            {
                return null;
            }

            boxes = boxes[(int)size..];
        }

        return null;
    }

    private static byte? FindObjectType(ReadOnlySpan<byte> boxes)
    {
        while (boxes.Length >= 8)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(boxes);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(boxes[4..]);
            if (size < 8)
            {
                return null;
            }

            ReadOnlySpan<byte> content = boxes[8..(int)Math.Min(size, (uint)boxes.Length)];
            if (type == FourCC.Esds)
            {
                return ParseEsds(content);
            }

            if (type == FourCC.Wave && FindObjectType(content) is byte nested)
            {
                return nested; // QuickTime wraps esds in a 'wave' box
            }

            if (size >= boxes.Length)
            {
                return null;
            }

            boxes = boxes[(int)size..];
        }

        return null;
    }

    // esds: version/flags(4), then ES_Descriptor (tag 3) holding DecoderConfigDescriptor (tag 4),
    // whose first byte is the objectTypeIndication (ISO/IEC 14496-1 §7.2.6).
    private static byte? ParseEsds(ReadOnlySpan<byte> esds)
    {
        if (esds.Length < 4 || !TryReadDescriptor(esds[4..], 0x03, out ReadOnlySpan<byte> es) || es.Length < 3)
        {
            return null;
        }

        byte flags = es[2];
        int skip = 3;
        if ((flags & 0x80) != 0)
        {
            skip += 2; // dependsOn_ES_ID
        }

        if ((flags & 0x40) != 0)
        {
            skip += es.Length > skip ? 1 + es[skip] : 1; // URL
        }

        if ((flags & 0x20) != 0)
        {
            skip += 2; // OCR_ES_Id
        }

        return skip < es.Length && TryReadDescriptor(es[skip..], 0x04, out ReadOnlySpan<byte> config) && config.Length > 0
            ? config[0]
            : null;
    }

    private static bool TryReadDescriptor(ReadOnlySpan<byte> data, byte tag, out ReadOnlySpan<byte> body)
    {
        body = default;
        if (data.Length < 2 || data[0] != tag)
        {
            return false;
        }

        // The size is 1–4 bytes, seven bits each, high bit set on all but the last.
        int length = 0, i = 1;
        for (int n = 0; ; n++)
        {
            if (i >= data.Length || n == 4)
            {
                return false;
            }

            byte b = data[i++];
            length = (length << 7) | (b & 0x7F);
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        body = data.Slice(i, Math.Min(length, data.Length - i));
        return true;
    }
}
