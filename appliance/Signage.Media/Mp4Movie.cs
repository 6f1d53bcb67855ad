namespace Signage.Media;

/// <summary>The facts <see cref="Mp4Reader"/> gathers from an MP4's moov box; judged by <see cref="VideoRules"/>.</summary>
internal sealed class Mp4Movie
{
    public bool HasHeader { get; set; }
    public uint Timescale { get; set; }
    public ulong Duration { get; set; }

    /// <summary>True for fragmented MP4 (mvex or moof): its samples live in fragments, not in moov. The
    /// fragments' samples are added to each track's counts, sizes and durations.</summary>
    public bool Fragmented { get; set; }

    public List<Mp4Track> Tracks { get; } = [];

    /// <summary>mvex/trex per track_ID: the sample duration and size a fragment uses when it gives none.</summary>
    public Dictionary<uint, (uint Duration, uint Size)> TrackDefaults { get; } = [];
}

internal sealed class Mp4Track
{
    /// <summary>hdlr handler type: 'vide', 'soun', or something the inspector ignores.</summary>
    public uint Handler { get; set; }

    /// <summary>tkhd track_ID, which fragments (tfhd) refer to.</summary>
    public uint TrackId { get; set; }

    /// <summary>The tkhd matrix turns the picture by 90° or 270°: the displayed size is height × width.</summary>
    public bool QuarterTurned { get; set; }

    /// <summary>tkhd presentation size, integer part of the 16.16 fixed-point values.</summary>
    public int Width { get; set; }
    public int Height { get; set; }

    public bool HasMediaHeader { get; set; }
    public uint Timescale { get; set; }
    public ulong Duration { get; set; }

    public Mp4SampleEntry? SampleEntry { get; set; }

    public bool HasTimeToSample { get; set; }
    public long TimeToSampleCount { get; set; }
    public double TimeToSampleDuration { get; set; }

    public bool HasSampleSizes { get; set; }
    public long SampleCount { get; set; }
    public long SampleBytes { get; set; }

    public bool IsVideo => Handler == FourCC.Vide;
    public bool IsAudio => Handler == FourCC.Soun;

    /// <summary>Media duration in seconds: mdhd, or the sum of stts deltas when mdhd leaves it unset.</summary>
    public double Seconds => Timescale == 0 ? 0 : (Duration > 0 ? Duration : TimeToSampleDuration) / Timescale;
}
