namespace Signage.Media.Tests;

/// <summary>Files made by real encoders (ffmpeg: libx264, libx265, aac, mjpeg, png), committed under Fixtures/.</summary>
public class RealFileTests
{
    [Theory]
    [InlineData(Fixture.H264Aac)]
    [InlineData(Fixture.H264AacMoovLast)]
    public void A_real_h264_and_aac_mp4_is_valid_wherever_moov_sits(string name)
    {
        MediaCheck check = MediaInspector.Inspect(Fixture.PathOf(name));

        Assert.True(check.IsValid, check.Detail);
        MediaInfo info = check.Info!;
        Assert.Equal((MediaType.Video, "video/mp4", 160, 90), (info.Type, info.ContentType, info.Width, info.Height));
        Assert.Equal(("avc1", "mp4a"), (info.VideoCodec, info.AudioCodec));
        Assert.Equal(25, info.FramesPerSecond!.Value, precision: 3);
        Assert.Equal(1, info.Duration!.Value.TotalSeconds, precision: 2);
        Assert.InRange(info.BitsPerSecond!.Value, 30_000, 80_000); // about 30 kbps video + 25 kbps audio
    }

    [Fact]
    public void Moov_placement_does_not_change_what_is_reported() =>
        Assert.Equal(MediaInspector.Inspect(Fixture.PathOf(Fixture.H264Aac)).Info, MediaInspector.Inspect(Fixture.PathOf(Fixture.H264AacMoovLast)).Info);

    [Fact]
    public void A_real_hevc_mp4_is_invalid_codec()
    {
        MediaCheck check = MediaInspector.Inspect(Fixture.PathOf(Fixture.Hevc));

        Assert.Equal(MediaFailureReason.InvalidCodec, check.Failure);
        Assert.Equal("Video uses HEVC (hvc1) codec. Only H.264 is supported.", check.Detail);
        Assert.Equal((160, 90, "hvc1"), (check.Info!.Width, check.Info.Height, check.Info.VideoCodec));
    }

    [Theory]
    [InlineData(Fixture.Jpeg, "image/jpeg")]
    [InlineData(Fixture.Png, "image/png")]
    public void A_real_image_is_valid(string name, string contentType)
    {
        MediaCheck check = MediaInspector.Inspect(Fixture.PathOf(name));

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(new MediaInfo(MediaType.Image, contentType, 160, 90, null, null, null, null, null), check.Info);
    }

    [Theory]
    [InlineData(Fixture.H264Aac)]
    [InlineData(Fixture.H264AacMoovLast)]
    [InlineData(Fixture.Hevc)]
    [InlineData(Fixture.Jpeg)]
    [InlineData(Fixture.Png)]
    public void A_real_file_cut_in_half_is_corrupt(string name)
    {
        MediaCheck check = Builders.Bytes.Inspect(Builders.Bytes.FirstHalf(Fixture.Read(name)));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Contains("cut off", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_committed_fixtures_stay_tiny()
    {
        FileInfo[] files = new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "Fixtures")).GetFiles();

        Assert.All(files, f => Assert.True(f.Length < 30 * 1024, $"{f.Name} is {f.Length} bytes"));
        Assert.True(files.Sum(f => f.Length) < 100 * 1024);
    }
}
