namespace Signage.Media;

/// <summary>Turns what <see cref="Mp4Reader"/> found into a verdict: structure first (FILE_CORRUPT),
/// then codec, resolution, frame rate, duration and bitrate, reporting the first problem.</summary>
internal static class VideoRules
{
    // Frame rates are stored as integer timescales and deltas, so a 30 fps file can read 30.0001.
    private const double FrameRateTolerance = 0.05;

    // AAC priming and padding make an exact 120 s export read as up to ~120.05 s.
    private static readonly TimeSpan DurationTolerance = TimeSpan.FromSeconds(0.1);

    // Anything longer than a year is a garbled header, not a long video.
    private const double MaxPlausibleSeconds = 365 * 24 * 3600;

    public static MediaCheck Check(Mp4Movie movie, MediaLimits limits)
    {
        MediaInfo info = Describe(movie);

        string? problem = movie.Tracks.Select(CodecProblem).FirstOrDefault(p => p is not null);
        if (problem is not null)
        {
            return MediaCheck.Fail(MediaFailureReason.InvalidCodec, problem, info);
        }

        problem = Resolution.Problem("Video", info.Width, info.Height, limits);
        if (problem is not null)
        {
            return MediaCheck.Fail(MediaFailureReason.ResolutionExceeded, problem, info);
        }

        // The spec has no frame-rate reason; see MediaFailureReason for why this is INVALID_CODEC.
        double fps = info.FramesPerSecond!.Value;
        if (fps > limits.MaxFramesPerSecond + FrameRateTolerance)
        {
            return MediaCheck.Fail(MediaFailureReason.InvalidCodec,
                $"Video runs at {Wording.Fps(fps, over: limits.MaxFramesPerSecond)}; the maximum is {Wording.Fps(limits.MaxFramesPerSecond)}.", info);
        }

        TimeSpan duration = info.Duration!.Value;
        if (duration > limits.MaxDuration + DurationTolerance)
        {
            return MediaCheck.Fail(MediaFailureReason.DurationExceeded,
                $"Video lasts {Wording.Duration(duration, over: limits.MaxDuration)}; the maximum is {Wording.Seconds(limits.MaxDuration)}.", info);
        }

        long bitsPerSecond = info.BitsPerSecond!.Value;
        if (bitsPerSecond > limits.MaxBitsPerSecond)
        {
            return MediaCheck.Fail(MediaFailureReason.BitrateExceeded,
                $"Video bitrate is {Wording.Mbps(bitsPerSecond, over: limits.MaxBitsPerSecond)}; the maximum is {Wording.Mbps(limits.MaxBitsPerSecond)}.", info);
        }

        return MediaCheck.Valid(info);
    }

    /// <summary>Derives the summary, throwing <see cref="MediaCorruptException"/> when the movie lacks
    /// what every playable MP4 has.</summary>
    private static MediaInfo Describe(Mp4Movie movie)
    {
        if (!movie.HasHeader || movie.Timescale == 0)
        {
            throw Corrupt("its movie header (mvhd) is missing or invalid.");
        }

        Mp4Track[] tracks = [.. movie.Tracks.Where(t => t.IsVideo || t.IsAudio)];
        foreach (Mp4Track track in tracks)
        {
            RequireSampleTables(track);
        }

        Mp4Track video = tracks.FirstOrDefault(t => t.IsVideo) ?? throw Corrupt("it has no video track.");
        Mp4Track? audio = tracks.FirstOrDefault(t => t.IsAudio);
        Mp4SampleEntry entry = video.SampleEntry!;

        // tkhd holds the presentation size; some muxers leave it zero, and then the coded size in the
        // sample entry is what the player shows.
        (int width, int height) = video.Width > 0 && video.Height > 0 ? (video.Width, video.Height) : (entry.Width, entry.Height);
        if (width == 0 || height == 0)
        {
            throw Corrupt("its video track has no picture size.");
        }

        // Reported as displayed: a phone video filmed upright is stored landscape with a quarter-turn matrix.
        (width, height) = video.QuarterTurned ? (height, width) : (width, height);

        // The movie duration (mvhd) is what plays; fragmented-style files leave it zero, and then the
        // longest track decides.
        double seconds = movie.Duration > 0 ? (double)movie.Duration / movie.Timescale : tracks.Max(t => t.Seconds);
        if (!(seconds > 0) || seconds > MaxPlausibleSeconds || !(video.Seconds > 0) || video.Seconds > MaxPlausibleSeconds)
        {
            throw Corrupt("its duration is missing or garbled.");
        }

        double fps = video.TimeToSampleCount / video.Seconds;

        // Bitrate = (video + audio sample bytes, summed from stsz) × 8 ÷ movie duration: the average
        // rate the player must read. Container overhead and other tracks (subtitles, timecode) do not count.
        long sampleBytes = tracks.Sum(t => t.SampleBytes);
        long bitsPerSecond = (long)Math.Round(sampleBytes * 8.0 / seconds);

        return new MediaInfo(MediaType.Video, "video/mp4", width, height, TimeSpan.FromSeconds(seconds), fps, bitsPerSecond,
            FourCC.ToText(entry.Format), audio is null ? null : FourCC.ToText(audio.SampleEntry!.Format), entry.Avc?.Name);
    }

    private static void RequireSampleTables(Mp4Track track)
    {
        string kind = track.IsVideo ? "video" : "audio";
        string? missing =
            !track.HasMediaHeader || track.Timescale == 0 ? "media header (mdhd)"
            : track.SampleEntry is null ? "sample description (stsd)"
            : !track.HasTimeToSample ? "timing table (stts)"
            : !track.HasSampleSizes ? "sample size table (stsz)"
            : null;
        if (missing is not null)
        {
            throw Corrupt($"its {kind} track is missing its {missing}.");
        }

        if (track.TimeToSampleCount != track.SampleCount)
        {
            throw Corrupt($"the {kind} track's timing and size tables disagree on the number of samples.");
        }

        if (track.IsVideo && track.SampleCount == 0)
        {
            throw Corrupt("its video track has no frames.");
        }

        if (track.IsVideo && track.SampleEntry!.Format is FourCC.Avc1 or FourCC.Avc3 && track.SampleEntry.Avc is null)
        {
            throw Corrupt("its video track has no decoder configuration (avcC).");
        }

        if (track.IsAudio && track.SampleEntry!.Format == FourCC.Mp4a && track.SampleEntry.ObjectType is null)
        {
            throw Corrupt("its audio track has no decoder configuration (esds).");
        }
    }

    private static string? CodecProblem(Mp4Track track)
    {
        uint format = track.SampleEntry?.Format ?? 0;
        if (track.IsVideo && track.SampleEntry?.Avc is { IsPlayable: false } avc)
        {
            return $"Video uses H.264 {avc.Name} profile, which the screens' decoders cannot play. "
                + "Only H.264 Baseline, Main and High (8-bit, 4:2:0) are supported.";
        }

        if (track.IsVideo && format is not (FourCC.Avc1 or FourCC.Avc3))
        {
            string? name = format switch
            {
                FourCC.Hvc1 or FourCC.Hev1 => "HEVC",
                FourCC.Vp08 => "VP8",
                FourCC.Vp09 => "VP9",
                FourCC.Av01 => "AV1",
                FourCC.Mp4v => "MPEG-4 Part 2",
                _ => null,
            };
            return $"Video uses {Named(name, FourCC.ToText(format))} codec. Only H.264 is supported.";
        }

        if (track.IsAudio && format == FourCC.Mp4a)
        {
            // objectTypeIndication: 0x40 MPEG-4 audio (AAC), 0x66–0x68 MPEG-2 AAC profiles.
            byte objectType = track.SampleEntry!.ObjectType!.Value;
            if (objectType is 0x40 or 0x66 or 0x67 or 0x68)
            {
                return null;
            }

            string? name = objectType switch
            {
                0x69 or 0x6B => "MP3",
                0xA5 => "AC-3",
                0xA6 => "E-AC-3",
                0xA9 => "DTS",
                0xAD => "Opus",
                0xDD => "Vorbis",
                _ => null,
            };
            string code = $"mp4a, object type 0x{objectType:X2}";
            return name is null
                ? $"Audio uses an unknown codec ({code}). Only AAC is supported."
                : $"Audio uses {name} ({code}) codec. Only AAC is supported.";
        }

        if (track.IsAudio)
        {
            string? name = format switch
            {
                FourCC.Ac3 => "AC-3",
                FourCC.Ec3 => "E-AC-3",
                FourCC.Opus => "Opus",
                FourCC.Flac => "FLAC",
                FourCC.Mp3 => "MP3",
                _ => null,
            };
            return $"Audio uses {Named(name, FourCC.ToText(format))} codec. Only AAC is supported.";
        }

        return null;
    }

    private static string Named(string? name, string code) => name is null ? $"the '{code}'" : $"{name} ({code})";

    private static MediaCorruptException Corrupt(string what) => new("The MP4 file is damaged: " + what);
}
