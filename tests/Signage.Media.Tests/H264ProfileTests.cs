using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

/// <summary>Every H.264 profile_idc the avcC box can carry: Baseline, Main and High play on the screens; the
/// rest are INVALID_CODEC naming the profile as ffprobe does.</summary>
public class H264ProfileTests
{
    [Theory]
    [InlineData(66, 0x00, "Baseline")]
    [InlineData(66, 0x40, "Constrained Baseline")]
    [InlineData(77, 0x00, "Main")]
    [InlineData(100, 0x00, "High")]
    [InlineData(100, 0x0C, "High")] // constraint_set4/5: Progressive / Constrained High
    public void Baseline_main_and_high_are_valid_and_named(byte profile, byte constraints, string name)
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { AvcProfile = profile, AvcConstraints = constraints } }));

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(name, check.Info!.VideoProfile);
    }

    [Theory]
    [InlineData(88, 0x00, "Extended")]
    [InlineData(110, 0x00, "High 10")]
    [InlineData(110, 0x10, "High 10 Intra")]
    [InlineData(122, 0x00, "High 4:2:2")]
    [InlineData(122, 0x10, "High 4:2:2 Intra")]
    [InlineData(244, 0x00, "High 4:4:4 Predictive")]
    [InlineData(244, 0x10, "High 4:4:4 Intra")]
    [InlineData(44, 0x00, "CAVLC 4:4:4")]
    [InlineData(83, 0x00, "Scalable Baseline")]
    [InlineData(86, 0x00, "Scalable High")]
    [InlineData(118, 0x00, "Multiview High")]
    [InlineData(128, 0x00, "Stereo High")]
    [InlineData(200, 0x00, "profile_idc 200")]
    public void Other_profiles_are_invalid_codec_naming_the_profile(byte profile, byte constraints, string name)
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { AvcProfile = profile, AvcConstraints = constraints } }));

        Assert.Equal(MediaFailureReason.InvalidCodec, check.Failure);
        Assert.Equal($"Video uses H.264 {name} profile, which the screens' decoders cannot play. Only H.264 Baseline, Main and High (8-bit, 4:2:0) are supported.", check.Detail);
        Assert.Equal(name, check.Info!.VideoProfile);
    }

    [Theory]
    [InlineData("avc1")]
    [InlineData("avc3")]
    public void An_h264_track_without_its_decoder_configuration_is_corrupt(string codec)
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { Codec = codec, AvcProfile = null } }));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Equal("The MP4 file is damaged: its video track has no decoder configuration (avcC).", check.Detail);
    }

    [Theory]
    [InlineData(0, 160, 90)]
    [InlineData(90, 90, 160)]
    [InlineData(180, 160, 90)]
    [InlineData(270, 90, 160)]
    public void The_displayed_size_follows_the_track_rotation(int rotation, int width, int height)
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { Rotation = rotation } }));

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal((width, height), (check.Info!.Width, check.Info.Height));
    }

    [Fact]
    public void A_rotated_video_is_held_to_the_portrait_limit_in_its_displayed_orientation()
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { Width = 1920, Height = 1200, Rotation = 90 } }));

        Assert.Equal(MediaFailureReason.ResolutionExceeded, check.Failure);
        Assert.Equal("Video is 1200×1920; the maximum is 1080×1920.", check.Detail);
    }
}
