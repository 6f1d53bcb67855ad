using System.Buffers.Binary;

namespace Signage.Media;

internal enum Container
{
    Unknown,
    Jpeg,
    Png,
    Mp4,
}

/// <summary>Identifies the container from the first bytes. File names and declared content types
/// are never consulted: a renamed file is judged by what it is.</summary>
internal static class FormatSniffer
{
    /// <summary>How many leading bytes <see cref="Identify"/> wants.</summary>
    public const int HeadLength = 16;

    private const string NotSupported = "The file is not a JPEG, PNG or MP4";

    public static (Container Container, string? Detail) Identify(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return (Container.Unknown, "The file is empty.");
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return (Container.Jpeg, null);
        }

        if (head.StartsWith(PngReader.Signature))
        {
            return (Container.Png, null);
        }

        if (head.Length >= 8 && BinaryPrimitives.ReadUInt32BigEndian(head[4..]) == FourCC.Ftyp)
        {
            // Too short for a brand: still an MP4, and the reader will call it cut off.
            return head.Length >= 12 ? IdentifyIsoBmff(FourCC.ToText(BinaryPrimitives.ReadUInt32BigEndian(head[8..]))) : (Container.Mp4, null);
        }

        string? knownAs = head switch
        {
            [(byte)'P', (byte)'K', 3, 4, ..] => "a ZIP archive",
            [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "a GIF image",
            [(byte)'%', (byte)'P', (byte)'D', (byte)'F', ..] => "a PDF document",
            [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "a WebP image",
            [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'A', (byte)'V', (byte)'I', (byte)' ', ..] => "an AVI video",
            [0x1A, 0x45, 0xDF, 0xA3, ..] => "a WebM or MKV video",
            _ => null,
        };
        return (Container.Unknown, knownAs is null ? NotSupported + "." : $"{NotSupported}; it is {knownAs}.");
    }

    // ISO-BMFF also carries QuickTime movies and HEIF/AVIF stills; only MP4 proper is a signage video.
    private static (Container, string?) IdentifyIsoBmff(string majorBrand) => majorBrand switch
    {
        "qt  " => (Container.Unknown, "The file is a QuickTime (.mov) movie; only MP4 videos are supported."),
        "heic" or "heix" or "heim" or "heis" or "hevc" or "hevx" or "mif1" or "msf1" =>
            (Container.Unknown, "The file is a HEIC image; only JPEG and PNG images are supported."),
        "avif" or "avis" => (Container.Unknown, "The file is an AVIF image; only JPEG and PNG images are supported."),
        _ => (Container.Mp4, null),
    };
}
