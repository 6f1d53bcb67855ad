using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

/// <summary>MP4s that are well-formed but break a rule of spec §13–14.</summary>
public class Mp4LimitTests
{
    [Fact]
    public void A_4k_video_is_resolution_exceeded()
    {
        var spec = new Mp4Spec { Video = new VideoTrackSpec { Width = 3840, Height = 2160 } };

        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(spec));

        Assert.Equal(MediaFailureReason.ResolutionExceeded, check.Failure);
        Assert.Equal("Video is 3840×2160; the maximum is 1920×1080.", check.Detail);
        Assert.Equal((3840, 2160), (check.Info!.Width, check.Info.Height));
    }

    [Fact]
    public void A_portrait_4k_video_quotes_the_portrait_limit()
    {
        var spec = new Mp4Spec { Video = new VideoTrackSpec { Width = 2160, Height = 3840 } };
        Assert.Equal("Video is 2160×3840; the maximum is 1080×1920.", Bytes.Inspect(Mp4Builder.Build(spec)).Detail);
    }

    [Fact]
    public void A_60_fps_video_is_reported_as_invalid_codec_with_the_frame_rate_in_the_detail()
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(60, 2) }));

        Assert.Equal(MediaFailureReason.InvalidCodec, check.Failure);
        Assert.Equal("Video runs at 60 fps; the maximum is 30 fps.", check.Detail);
        Assert.Equal(60, check.Info!.FramesPerSecond!.Value, precision: 6);
    }

    [Fact]
    public void A_59_94_fps_video_names_its_exact_frame_rate()
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { Timescale = 60_000, FrameDelta = 1001, FrameCount = 120 } }));
        Assert.Equal("Video runs at 59.94 fps; the maximum is 30 fps.", check.Detail);
    }

    [Fact]
    public void A_150_second_video_is_duration_exceeded()
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 150, 100) }));

        Assert.Equal(MediaFailureReason.DurationExceeded, check.Failure);
        Assert.Equal("Video lasts 2 min 30 s; the maximum is 120 s.", check.Detail);
        Assert.Equal(TimeSpan.FromSeconds(150), check.Info!.Duration);
    }

    [Fact]
    public void A_video_of_2_min_15_s_is_described_in_minutes_and_seconds()
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 135, 100) }));
        Assert.Equal("Video lasts 2 min 15 s; the maximum is 120 s.", check.Detail);
    }

    [Fact]
    public void A_custom_duration_limit_is_respected()
    {
        var limits = MediaLimits.Default with { MaxDuration = TimeSpan.FromSeconds(15) };

        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 20, 100) }), limits);

        Assert.Equal("Video lasts 20 s; the maximum is 15 s.", check.Detail);
    }

    [Fact]
    public void A_20_mbps_video_is_bitrate_exceeded()
    {
        // 20 Mbps = 2 500 000 bytes a second = 100 000 bytes a frame at 25 fps.
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 1, 100_000) }));

        Assert.Equal(MediaFailureReason.BitrateExceeded, check.Failure);
        Assert.Equal("Video bitrate is 20 Mbps; the maximum is 10 Mbps.", check.Detail);
        Assert.Equal(20_000_000, check.Info!.BitsPerSecond);
    }

    [Fact]
    public void Audio_counts_towards_the_bitrate()
    {
        // Video alone is exactly 10 Mbps; the audio tips it over.
        var spec = new Mp4Spec { Video = VideoTrackSpec.At(25, 1, 50_000), Audio = new AudioTrackSpec() };

        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(spec));

        Assert.Equal(MediaFailureReason.BitrateExceeded, check.Failure);
        Assert.Equal("Video bitrate is 10.1 Mbps; the maximum is 10 Mbps.", check.Detail);
    }

    [Theory]
    [InlineData("hvc1", "Video uses HEVC (hvc1) codec. Only H.264 is supported.")]
    [InlineData("hev1", "Video uses HEVC (hev1) codec. Only H.264 is supported.")]
    [InlineData("vp09", "Video uses VP9 (vp09) codec. Only H.264 is supported.")]
    [InlineData("av01", "Video uses AV1 (av01) codec. Only H.264 is supported.")]
    [InlineData("mp4v", "Video uses MPEG-4 Part 2 (mp4v) codec. Only H.264 is supported.")]
    [InlineData("xyz1", "Video uses the 'xyz1' codec. Only H.264 is supported.")]
    public void A_video_codec_other_than_h264_is_invalid_codec(string codec, string detail)
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { Codec = codec } }));

        Assert.Equal(MediaFailureReason.InvalidCodec, check.Failure);
        Assert.Equal(detail, check.Detail);
        Assert.Equal(codec, check.Info!.VideoCodec);
    }

    [Theory]
    [InlineData("ac-3", "Audio uses AC-3 (ac-3) codec. Only AAC is supported.")]
    [InlineData("ec-3", "Audio uses E-AC-3 (ec-3) codec. Only AAC is supported.")]
    [InlineData("Opus", "Audio uses Opus (Opus) codec. Only AAC is supported.")]
    [InlineData("fLaC", "Audio uses FLAC (fLaC) codec. Only AAC is supported.")]
    public void An_audio_codec_other_than_aac_is_invalid_codec(string codec, string detail)
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Audio = new AudioTrackSpec { Codec = codec } }));

        Assert.Equal(MediaFailureReason.InvalidCodec, check.Failure);
        Assert.Equal(detail, check.Detail);
        Assert.Equal(codec, check.Info!.AudioCodec);
    }

    [Theory]
    [InlineData(0x6B, "Audio uses MP3 (mp4a, object type 0x6B) codec. Only AAC is supported.")]
    [InlineData(0x69, "Audio uses MP3 (mp4a, object type 0x69) codec. Only AAC is supported.")]
    [InlineData(0xA5, "Audio uses AC-3 (mp4a, object type 0xA5) codec. Only AAC is supported.")]
    [InlineData(0x21, "Audio uses an unknown codec (mp4a, object type 0x21). Only AAC is supported.")]
    public void Mp4a_audio_that_is_not_aac_is_invalid_codec(byte objectType, string detail)
    {
        var spec = new Mp4Spec { Audio = new AudioTrackSpec { ObjectType = objectType } };

        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(spec));

        Assert.Equal(MediaFailureReason.InvalidCodec, check.Failure);
        Assert.Equal(detail, check.Detail);
    }

    [Fact]
    public void A_wrong_codec_is_reported_before_a_resolution_problem()
    {
        var spec = new Mp4Spec { Video = new VideoTrackSpec { Codec = "hvc1", Width = 3840, Height = 2160 } };
        Assert.Equal(MediaFailureReason.InvalidCodec, Bytes.Inspect(Mp4Builder.Build(spec)).Failure);
    }

    [Fact]
    public void A_video_larger_than_the_video_size_limit_is_file_size_exceeded()
    {
        byte[] mp4 = Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 2, 2_000) });

        MediaCheck check = Bytes.Inspect(mp4, MediaLimits.Default with { MaxVideoBytes = 10 * 1024 });

        Assert.Equal(MediaFailureReason.FileSizeExceeded, check.Failure);
        Assert.Equal("Video is 98.2 KiB; the maximum is 10 KiB.", check.Detail);
    }

    [Fact]
    public void The_image_size_limit_does_not_apply_to_video() =>
        Assert.True(Bytes.Inspect(Mp4Builder.Build(new Mp4Spec()), MediaLimits.Default with { MaxImageBytes = 10 }).IsValid);
}
