namespace Signage.Media;

/// <summary>The facts <see cref="Mp4Reader"/> gathers from an MP4's moov box; judged by <see cref="VideoRules"/>.</summary>
internal sealed class Mp4Movie
{
    public bool HasHeader { get; set; }
    public uint Timescale { get; set; }
    public ulong Duration { get; set; }

    /// <summary>True for fragmented MP4 (mvex or moof): its samples live in fragments, not in moov.</summary>
    public bool Fragmented { get; set; }

    public List<Mp4Track> Tracks { get; } = [];
}

internal sealed class Mp4Track
{
    /// <summary>hdlr handler type: 'vide', 'soun', or something the inspector ignores.</summary>
    public uint Handler { get; set; }

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
