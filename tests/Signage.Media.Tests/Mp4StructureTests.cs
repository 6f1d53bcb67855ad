using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

/// <summary>Valid MP4s in the shapes real muxers produce them.</summary>
public class Mp4StructureTests
{
    [Fact]
    public void A_short_h264_video_reports_everything_the_appliance_stores()
    {
        var spec = new Mp4Spec { Video = VideoTrackSpec.At(25, 10, frameSize: 20_000), Audio = new AudioTrackSpec { FrameCount = 468 } };

        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(spec));

        Assert.True(check.IsValid, check.Detail);
        MediaInfo info = check.Info!;
        Assert.Equal((MediaType.Video, "video/mp4", 160, 90), (info.Type, info.ContentType, info.Width, info.Height));
        Assert.Equal(TimeSpan.FromSeconds(10), info.Duration);
        Assert.Equal(25, info.FramesPerSecond!.Value, precision: 6);
        // (250 × 20 000 + 468 × 200) bytes × 8 ÷ 10 s.
        Assert.Equal(4_074_880, info.BitsPerSecond);
        Assert.Equal(("avc1", "mp4a"), (info.VideoCodec, info.AudioCodec));
    }

    [Fact]
    public void A_video_without_audio_has_no_audio_codec()
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec()));

        Assert.True(check.IsValid, check.Detail);
        Assert.Null(check.Info!.AudioCodec);
    }

    [Fact]
    public void Moov_after_mdat_is_found_by_seeking_over_the_media_data() =>
        Assert.True(Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { MoovAfterMdat = true })).IsValid);

    [Fact]
    public void A_64_bit_mdat_size_is_understood() =>
        Assert.True(Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { LargeMdatSize = true, MoovAfterMdat = true })).IsValid);

    [Fact]
    public void A_final_mdat_of_size_zero_runs_to_the_end_of_the_file() =>
        Assert.True(Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { MdatRunsToEnd = true })).IsValid);

    [Fact]
    public void Version_1_headers_with_64_bit_durations_are_read()
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Version1Headers = true, Video = VideoTrackSpec.At(30, 90, 100) }));

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(TimeSpan.FromSeconds(90), check.Info!.Duration);
        Assert.Equal(30, check.Info.FramesPerSecond!.Value, precision: 6);
    }

    [Fact]
    public void A_sample_size_table_is_summed_like_a_constant_size()
    {
        var constant = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 4, 5_000) }));
        var table = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 4, 5_000) with { SizeTable = true } }));

        Assert.True(table.IsValid, table.Detail);
        Assert.Equal(1_000_000, table.Info!.BitsPerSecond);
        Assert.Equal(constant.Info, table.Info);
    }

    [Fact]
    public void An_unset_movie_duration_falls_back_to_the_longest_track()
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 8), MovieSeconds = 0 }));

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(TimeSpan.FromSeconds(8), check.Info!.Duration);
    }

    [Fact]
    public void Avc3_is_h264_too() =>
        Assert.True(Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { Codec = "avc3" } })).IsValid);

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x66)]
    [InlineData(0x67)]
    [InlineData(0x68)]
    public void Mpeg4_and_mpeg2_aac_audio_are_accepted(byte objectType)
    {
        var spec = new Mp4Spec { Audio = new AudioTrackSpec { ObjectType = objectType } };
        Assert.True(Bytes.Inspect(Mp4Builder.Build(spec)).IsValid);
    }

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(1080, 1920)]
    public void Full_hd_video_is_valid_in_landscape_and_portrait(int width, int height)
    {
        var spec = new Mp4Spec { Video = new VideoTrackSpec { Width = width, Height = height } };
        Assert.True(Bytes.Inspect(Mp4Builder.Build(spec)).IsValid);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(29.97)]
    [InlineData(24)]
    public void Frame_rates_up_to_30_are_valid(double fps)
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(fps, 2) }));

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(fps, check.Info!.FramesPerSecond!.Value, precision: 2);
    }

    [Fact]
    public void A_frame_rate_that_reads_a_hair_over_30_from_timescale_rounding_is_still_valid()
    {
        // 1 001 frames of 2 997 ticks at 90 kHz: 30.03 fps.
        var video = new VideoTrackSpec { FrameCount = 1001, FrameDelta = 2997 };
        Assert.True(Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = video })).IsValid);
    }

    [Fact]
    public void Exactly_120_seconds_at_exactly_the_bitrate_limit_is_valid()
    {
        // 400 bytes a frame at 25 fps is 80 kbps; a small custom limit keeps the fixture small.
        var limits = MediaLimits.Default with { MaxBitsPerSecond = 80_000 };

        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 120, 400) }), limits);

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal((TimeSpan.FromSeconds(120), 80_000L), (check.Info!.Duration, check.Info.BitsPerSecond));
    }

    [Fact]
    public void When_tkhd_has_no_size_the_sample_entry_size_is_used()
    {
        byte[] mp4 = Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { Width = 640, Height = 360 } });
        int tkhd = Bytes.BoxOffset(mp4, "tkhd");
        mp4 = Bytes.WithUInt32(Bytes.WithUInt32(mp4, tkhd + 8 + 76, 0), tkhd + 8 + 80, 0);

        MediaCheck check = Bytes.Inspect(mp4);

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal((640, 360), (check.Info!.Width, check.Info.Height));
    }
}
