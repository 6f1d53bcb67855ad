using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Signage.Media.Tests.Builders;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>Realistic uploads (the ffmpeg-made corpus) through the published appliance: the three kinds of verdict
/// an independent check found wrong, their neighbours, and the displayed size the asset record reports.</summary>
public sealed class AssetMediaVerdictTests : ApplianceApiTests
{
    private AssetClient? _assetClient;

    private AssetClient AssetApi => _assetClient ??= new AssetClient(Api);

    [Theory]
    [InlineData("motion-photo.jpg", 160, 90)]      // a phone's JPEG with its video appended after EOI
    [InlineData("padded.jpg", 160, 90)]
    [InlineData("exif-6.jpg", 90, 160)]            // shot upright: stored landscape, shown portrait
    public async Task A_jpeg_with_bytes_after_its_end_marker_or_an_exif_turn_is_ready_at_its_displayed_size(string name, int width, int height)
    {
        var asset = await AssetApi.UploadAsync(name, MediaCorpus.Read(name));

        Assert.True(asset.Status == AssetStatuses.Ready, $"{name}: {asset.Status} {asset.FailureReason} {asset.FailureDetail}");
        Assert.Equal(("IMAGE", "image/jpeg", width, height), (asset.MediaType, asset.ContentType, asset.Width!.Value, asset.Height!.Value));
    }

    [Fact]
    public async Task A_cut_off_jpeg_is_file_corrupt_saying_so()
    {
        var asset = await AssetApi.UploadAsync("cut.jpg", MediaCorpus.Read("truncated-half.jpg"));

        Assert.Equal((AssetStatuses.Failed, "FILE_CORRUPT", "The JPEG file is cut off: it ends before the image is complete."),
            (asset.Status, asset.FailureReason, asset.FailureDetail));
    }

    [Theory]
    [InlineData("frag-obs.mp4", 160, 90)]
    [InlineData("frag-keyframe-empty-moov.mp4", 160, 90)]
    [InlineData("frag-default-base-moof.mp4", 160, 90)]
    [InlineData("rotated-90.mp4", 90, 160)]
    public async Task A_fragmented_or_rotated_mp4_is_ready_with_its_duration_and_displayed_size(string name, int width, int height)
    {
        var asset = await AssetApi.UploadAsync(name, MediaCorpus.Read(name));
        var probe = MediaCorpus.Ffprobe(MediaCorpus.PathOf(name));

        Assert.True(asset.Status == AssetStatuses.Ready, $"{name}: {asset.Status} {asset.FailureReason} {asset.FailureDetail}");
        Assert.Equal(("VIDEO", "video/mp4", width, height), (asset.MediaType, asset.ContentType, asset.Width!.Value, asset.Height!.Value));
        Assert.InRange(asset.DurationMs!.Value, (long)(probe.Seconds * 1000) - 20, (long)(probe.Seconds * 1000) + 20);
        Assert.NotNull(asset.ThumbnailUrl);
    }

    [Theory]
    [InlineData("high10.mp4", "High 10")]
    [InlineData("high422.mp4", "High 4:2:2")]
    [InlineData("high444.mp4", "High 4:4:4 Predictive")]
    [InlineData("frag-high10.mp4", "High 10")]
    public async Task H264_the_screens_cannot_decode_is_invalid_codec_naming_the_profile(string name, string profile)
    {
        var asset = await AssetApi.UploadAsync(name, MediaCorpus.Read(name));

        Assert.Equal((AssetStatuses.Failed, "INVALID_CODEC"), (asset.Status, asset.FailureReason));
        Assert.Equal($"Video uses H.264 {profile} profile, which the screens' decoders cannot play. "
            + "Only H.264 Baseline, Main and High (8-bit, 4:2:0) are supported.", asset.FailureDetail);
        Assert.Equal(profile, MediaCorpus.Ffprobe(MediaCorpus.PathOf(name)).Profile);
        Assert.Equal((160, 90), (asset.Width, asset.Height));
    }
}
