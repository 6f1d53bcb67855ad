namespace Signage.Media.Tests.Builders;

internal sealed record VideoTrackSpec
{
    public string Codec { get; init; } = "avc1";
    public int Width { get; init; } = 160;
    public int Height { get; init; } = 90;
    public uint Timescale { get; init; } = 90_000;
    public int FrameCount { get; init; } = 25;
    public uint FrameDelta { get; init; } = 3_600; // 90 000 / 25: 25 fps
    public uint FrameSize { get; init; } = 1_000;

    /// <summary>Write one stsz entry per frame instead of a single constant size.</summary>
    public bool SizeTable { get; init; }

    /// <summary>avcC profile_idc and constraint flags for avc1/avc3 entries (default High); null leaves avcC out.</summary>
    public byte? AvcProfile { get; init; } = 100;

    public byte AvcConstraints { get; init; }

    /// <summary>Degrees the tkhd matrix turns the picture: 0, 90, 180 or 270.</summary>
    public int Rotation { get; init; }

    /// <summary>Frame rate and length, on the 90 kHz clock (which divides evenly for 24, 25, 29.97, 30, 60).</summary>
    public static VideoTrackSpec At(double fps, double seconds, uint frameSize = 1_000) => new()
    {
        FrameDelta = (uint)Math.Round(90_000 / fps),
        FrameCount = (int)Math.Round(fps * seconds),
        FrameSize = frameSize,
    };

    public double Seconds => FrameCount * (double)FrameDelta / Timescale;

    public long Bytes => (long)FrameCount * FrameSize;
}

internal sealed record AudioTrackSpec
{
    public string Codec { get; init; } = "mp4a";
    public byte ObjectType { get; init; } = 0x40;
    public uint SampleRate { get; init; } = 48_000;
    public int FrameCount { get; init; } = 47; // 1 024 samples per AAC frame: about 1 s
    public uint FrameSize { get; init; } = 200;

    public double Seconds => FrameCount * 1024.0 / SampleRate;

    public long Bytes => (long)FrameCount * FrameSize;
}

internal sealed record Mp4Spec
{
    public string MajorBrand { get; init; } = "isom";
    public VideoTrackSpec? Video { get; init; } = new();
    public AudioTrackSpec? Audio { get; init; }
    public bool MoovAfterMdat { get; init; }

    /// <summary>Give mdat a 64-bit size (size field 1, then largesize).</summary>
    public bool LargeMdatSize { get; init; }

    /// <summary>Give mdat size 0: "runs to the end of the file". Only meaningful when mdat is last.</summary>
    public bool MdatRunsToEnd { get; init; }

    /// <summary>Write mvhd, tkhd and mdhd as version 1 (64-bit times).</summary>
    public bool Version1Headers { get; init; }

    public uint MovieTimescale { get; init; } = 1_000;

    /// <summary>Overrides the mvhd duration in seconds (default: the longest track).</summary>
    public double? MovieSeconds { get; init; }
}

/// <summary>
/// Builds synthetic ISO-BMFF files: ftyp, moov (mvhd; trak with tkhd, mdia/mdhd/hdlr/minf/stbl with
/// stsd, stts, stsz), and an mdat of zeros as long as the sample tables say. Chunk tables (stsc, stco)
/// are left out: the inspector does not read them.
/// </summary>
internal static class Mp4Builder
{
    public static byte[] Build(Mp4Spec spec)
    {
        using var stream = new MemoryStream();
        Write(stream, spec);
        return stream.ToArray();
    }

    /// <summary>Writes the file. The mdat payload is skipped by seeking, so on a FileStream it is sparse
    /// and a 200 MB file takes no time to write.</summary>
    public static void Write(Stream stream, Mp4Spec spec)
    {
        byte[] moov = Moov(spec);
        stream.Write(Box("ftyp", w => w.Ascii(spec.MajorBrand).U32(0x200).Ascii("isom").Ascii("iso2").Ascii("avc1").Ascii("mp41")));
        if (!spec.MoovAfterMdat)
        {
            stream.Write(moov);
        }

        long payload = (spec.Video?.Bytes ?? 0) + (spec.Audio?.Bytes ?? 0);
        var header = new BigEndianWriter();
        if (spec.LargeMdatSize)
        {
            header.U32(1).Ascii("mdat").U64((ulong)(16 + payload));
        }
        else
        {
            header.U32(spec.MdatRunsToEnd ? 0 : (uint)(8 + payload)).Ascii("mdat");
        }

        stream.Write(header.ToArray());
        stream.Seek(payload, SeekOrigin.Current);
        if (stream.Position > stream.Length)
        {
            stream.SetLength(stream.Position);
        }

        if (spec.MoovAfterMdat)
        {
            stream.Write(moov);
        }
    }

    private static byte[] Moov(Mp4Spec spec)
    {
        double seconds = spec.MovieSeconds ?? Math.Max(spec.Video?.Seconds ?? 0, spec.Audio?.Seconds ?? 0);
        var movieDuration = (ulong)Math.Round(seconds * spec.MovieTimescale);
        bool v1 = spec.Version1Headers;

        byte[] mvhd = FullBox("mvhd", v1, w => Times(w, v1).U32(spec.MovieTimescale).Duration(movieDuration, v1)
            .U32(0x0001_0000).U16(0x0100).Zeros(10).Bytes(Matrix()).Zeros(24).U32(3));

        var children = new List<byte[]> { mvhd };
        if (spec.Video is { } video)
        {
            var duration = (ulong)video.FrameCount * video.FrameDelta;
            byte[] entry = Box(video.Codec, w =>
            {
                w.Zeros(6).U16(1).Zeros(16).U16(video.Width).U16(video.Height)
                    .U32(0x0048_0000).U32(0x0048_0000).U32(0).U16(1).Zeros(32).U16(0x18).U16(0xFFFF);
                if (video.Codec is "avc1" or "avc3" && video.AvcProfile is byte profile)
                {
                    // configurationVersion 1, profile, constraints, level 4.0, 4-byte NAL lengths, no SPS/PPS.
                    w.Bytes(Box("avcC", c => c.U8(1).U8(profile).U8(video.AvcConstraints).U8(40).U8(0xFF).U8(0xE0).U8(0)));
                }
            });
            children.Add(Track(1, "vide", v1, video.Width, video.Height, video.Timescale, duration, entry,
                video.FrameCount, video.FrameDelta, video.FrameSize, video.SizeTable, video.Rotation));
        }

        if (spec.Audio is { } audio)
        {
            var duration = (ulong)audio.FrameCount * 1024;
            byte[] entry = Box(audio.Codec, w =>
            {
                w.Zeros(6).U16(1).Zeros(8).U16(2).U16(16).U16(0).U16(0).U32(audio.SampleRate << 16);
                if (audio.Codec == "mp4a")
                {
                    w.Bytes(Esds(audio.ObjectType));
                }
            });
            children.Add(Track(2, "soun", v1, 0, 0, audio.SampleRate, duration, entry, audio.FrameCount, 1024, audio.FrameSize, sizeTable: false));
        }

        return Box("moov", [.. children]);
    }

    private static byte[] Track(uint id, string handler, bool v1, int width, int height, uint timescale, ulong duration,
        byte[] sampleEntry, int sampleCount, uint sampleDelta, uint sampleSize, bool sizeTable, int rotation = 0)
    {
        byte[] tkhd = FullBox("tkhd", v1, w => Times(w, v1).U32(id).U32(0).Duration(duration, v1)
            .Zeros(8).U16(0).U16(0).U16(handler == "soun" ? 0x0100 : 0).U16(0).Bytes(Matrix(rotation))
            .U32((uint)width << 16).U32((uint)height << 16), flags: 3);
        byte[] mdhd = FullBox("mdhd", v1, w => Times(w, v1).U32(timescale).Duration(duration, v1).U16(0x55C4).U16(0));
        byte[] hdlr = FullBox("hdlr", false, w => w.U32(0).Ascii(handler).Zeros(12).Ascii("Handler").U8(0));

        byte[] stsd = FullBox("stsd", false, w => w.U32(1).Bytes(sampleEntry));
        byte[] stts = FullBox("stts", false, w => w.U32(1).U32((uint)sampleCount).U32(sampleDelta));
        byte[] stsz = FullBox("stsz", false, w =>
        {
            w.U32(sizeTable ? 0 : sampleSize).U32((uint)sampleCount);
            for (int i = 0; sizeTable && i < sampleCount; i++)
            {
                w.U32(sampleSize);
            }
        });

        byte[] mediaHeader = handler == "vide"
            ? FullBox("vmhd", false, w => w.Zeros(8), flags: 1)
            : FullBox("smhd", false, w => w.Zeros(4));
        byte[] minf = Box("minf", mediaHeader, Box("stbl", stsd, stts, stsz));
        return Box("trak", tkhd, Box("mdia", mdhd, hdlr, minf));
    }

    // esds: ES_Descriptor(3) { ES_ID, flags, DecoderConfigDescriptor(4) { objectType, streamType 5 (audio),
    // buffer, bitrates, DecoderSpecificInfo(5) }, SLConfigDescriptor(6) }.
    private static byte[] Esds(byte objectType) => FullBox("esds", false, w => w
        .U8(0x03).U8(25).U16(1).U8(0)
        .U8(0x04).U8(17).U8(objectType).U8(0x15).U8(0).U16(0).U32(128_000).U32(128_000)
        .U8(0x05).U8(2).U8(0x11).U8(0x90)
        .U8(0x06).U8(1).U8(0x02));

    private static BigEndianWriter Times(BigEndianWriter w, bool v1) => v1 ? w.U64(0).U64(0) : w.U32(0).U32(0);

    private static BigEndianWriter Duration(this BigEndianWriter w, ulong duration, bool v1) => v1 ? w.U64(duration) : w.U32((uint)duration);

    // {a b u, c d v, x y w} in 16.16 (u, v, w 2.30), as ffmpeg writes it for each rotation.
    private static byte[] Matrix(int rotation = 0)
    {
        (int a, int b, int c, int d) = rotation switch
        {
            90 => (0, 1, -1, 0),
            180 => (-1, 0, 0, -1),
            270 => (0, -1, 1, 0),
            _ => (1, 0, 0, 1),
        };
        return new BigEndianWriter().U32((uint)(a << 16)).U32((uint)(b << 16)).U32(0).U32((uint)(c << 16)).U32((uint)(d << 16)).U32(0)
            .U32(0).U32(0).U32(0x4000_0000).ToArray();
    }

    public static byte[] Box(string type, params byte[][] children) => Box(type, w =>
    {
        foreach (byte[] child in children)
        {
            w.Bytes(child);
        }
    });

    public static byte[] Box(string type, Action<BigEndianWriter> body)
    {
        var content = new BigEndianWriter();
        body(content);
        byte[] bytes = content.ToArray();
        return new BigEndianWriter().U32((uint)(8 + bytes.Length)).Ascii(type).Bytes(bytes).ToArray();
    }

    private static byte[] FullBox(string type, bool v1, Action<BigEndianWriter> body, uint flags = 0) =>
        Box(type, w => body(w.U32(((v1 ? 1u : 0u) << 24) | flags)));
}
