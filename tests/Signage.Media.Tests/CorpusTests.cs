using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

/// <summary>Every file of the ffmpeg-made corpus (see <see cref="MediaCorpus"/>), judged and compared with ffprobe.</summary>
public class CorpusTests
{
    public static TheoryData<string, MediaFailureReason?, int, int> Videos => new()
    {
        { "baseline-faststart.mp4", null, 160, 90 },
        { "main-moov-last.mp4", null, 160, 90 },
        { "high.mp4", null, 160, 90 },
        { "high-fullrange.mp4", null, 160, 90 },
        { "frag-keyframe-empty-moov.mp4", null, 160, 90 },
        { "frag-default-base-moof.mp4", null, 160, 90 },
        { "frag-obs.mp4", null, 160, 90 },
        { "frag-first-in-moov.mp4", null, 160, 90 },
        { "frag-every-200ms.mp4", null, 160, 90 },
        { "frag-global-sidx.mp4", null, 160, 90 },
        { "frag-cmaf.mp4", null, 160, 90 },
        { "high10.mp4", MediaFailureReason.InvalidCodec, 160, 90 },
        { "high422.mp4", MediaFailureReason.InvalidCodec, 160, 90 },
        { "high444.mp4", MediaFailureReason.InvalidCodec, 160, 90 },
        { "frag-high10.mp4", MediaFailureReason.InvalidCodec, 160, 90 },
        { "portrait-90x160.mp4", null, 90, 160 },
        { "rotated-90.mp4", null, 90, 160 },
        { "rotated-180.mp4", null, 160, 90 },
        { "rotated-270.mp4", null, 90, 160 },
    };

    private const string CutOff = "The JPEG file is cut off: it ends before the image is complete.";

    public static TheoryData<string, bool, int, int> Images => new()
    {
        { "plain.jpg", true, 160, 90 },
        { "padded.jpg", true, 160, 90 },
        { "motion-photo.jpg", true, 160, 90 },
        { "vendor-trailer.jpg", true, 160, 90 },
        { "truncated-half.jpg", false, 0, 0 },
        { "truncated-before-eoi.jpg", false, 0, 0 },
        { "truncated-then-zero-padded.jpg", false, 0, 0 },
        { "exif-1.jpg", true, 160, 90 },
        { "exif-3.jpg", true, 160, 90 },
        { "exif-6.jpg", true, 90, 160 },
        { "exif-8.jpg", true, 90, 160 },
        { "exif-6-motorola.jpg", true, 90, 160 },
    };

    [Theory]
    [MemberData(nameof(Videos))]
    public void Each_corpus_video_gets_its_verdict_and_reports_what_ffprobe_sees(string name, MediaFailureReason? reason, int width, int height)
    {
        MediaCheck check = MediaInspector.Inspect(MediaCorpus.PathOf(name));
        MediaCorpus.Probe probe = MediaCorpus.Ffprobe(MediaCorpus.PathOf(name));

        Assert.True(reason == check.Failure, $"{name}: expected {reason?.ToString() ?? "valid"}, got {check.Failure} ({check.Detail})");
        MediaInfo info = check.Info!;
        Assert.Equal((width, height), (info.Width, info.Height));
        Assert.Equal(probe.Displayed, (info.Width, info.Height));
        Assert.Equal(probe.Profile, info.VideoProfile);
        Assert.Equal(probe.Seconds, info.Duration!.Value.TotalSeconds, tolerance: 0.02);
        Assert.Equal(probe.VideoFrames / probe.VideoSeconds, info.FramesPerSecond!.Value, tolerance: 0.05);

        // Bitrate is every audio and video byte over the duration; ffprobe counts the same packets.
        double expectedBps = probe.PacketBytes * 8 / probe.Seconds;
        Assert.InRange(info.BitsPerSecond!.Value, expectedBps * 0.98, expectedBps * 1.02);
        if (reason == MediaFailureReason.InvalidCodec)
        {
            Assert.Equal($"Video uses H.264 {probe.Profile} profile, which the screens' decoders cannot play. "
                + "Only H.264 Baseline, Main and High (8-bit, 4:2:0) are supported.", check.Detail);
        }
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Each_corpus_jpeg_gets_its_verdict_and_displayed_size(string name, bool valid, int width, int height)
    {
        MediaCheck check = MediaInspector.Inspect(MediaCorpus.PathOf(name));

        // ffmpeg's decoder agrees where it can tell: it complains about a file cut in the middle of its data.
        // It says nothing about one missing only its 2-byte end marker, nor about one whose missing half was
        // replaced by zeros (it decodes them as a grey picture); without the end marker both stay FILE_CORRUPT.
        string decodeErrors = MediaCorpus.DecodeErrors(MediaCorpus.PathOf(name));
        bool ffmpegBlind = name is "truncated-before-eoi.jpg" or "truncated-then-zero-padded.jpg";
        Assert.True(ffmpegBlind ? decodeErrors.Length == 0 : valid == (decodeErrors.Length == 0), $"{name}: ffmpeg says '{decodeErrors}'");
        if (!valid)
        {
            Assert.Equal((MediaFailureReason.FileCorrupt, CutOff), (check.Failure, check.Detail));
            return;
        }

        Assert.True(check.IsValid, $"{name}: {check.Detail}");
        Assert.Equal(new MediaInfo(MediaType.Image, "image/jpeg", width, height, null, null, null, null, null), check.Info);

        // ffprobe reports the stored size; the EXIF orientations 5–8 turn it.
        MediaCorpus.Probe probe = MediaCorpus.Ffprobe(MediaCorpus.PathOf(name));
        bool turned = name is "exif-6.jpg" or "exif-8.jpg" or "exif-6-motorola.jpg";
        Assert.Equal(turned ? (probe.Height, probe.Width) : (probe.Width, probe.Height), (width, height));
    }

    [Fact]
    public void A_trailer_after_the_end_marker_changes_nothing_that_is_reported()
    {
        MediaInfo plain = MediaInspector.Inspect(MediaCorpus.PathOf("plain.jpg")).Info!;

        Assert.All(["padded.jpg", "motion-photo.jpg", "vendor-trailer.jpg"], name => Assert.Equal(plain, MediaInspector.Inspect(MediaCorpus.PathOf(name)).Info));
    }

    [Fact]
    public void A_fragmented_mp4_reports_the_same_as_the_same_video_written_plain()
    {
        MediaInfo plain = MediaInspector.Inspect(MediaCorpus.PathOf("high.mp4")).Info!;

        foreach (string name in (string[])["frag-default-base-moof.mp4", "frag-obs.mp4", "frag-first-in-moov.mp4", "frag-every-200ms.mp4"])
        {
            MediaInfo fragmented = MediaInspector.Inspect(MediaCorpus.PathOf(name)).Info!;
            Assert.Equal((plain.Width, plain.Height, plain.VideoCodec, plain.AudioCodec, plain.VideoProfile),
                (fragmented.Width, fragmented.Height, fragmented.VideoCodec, fragmented.AudioCodec, fragmented.VideoProfile));
            Assert.Equal(plain.FramesPerSecond!.Value, fragmented.FramesPerSecond!.Value, tolerance: 0.05);
            Assert.Equal(plain.Duration!.Value.TotalSeconds, fragmented.Duration!.Value.TotalSeconds, tolerance: 0.1);
        }
    }

    [Fact]
    public void A_fragmented_mp4_cut_in_half_is_corrupt()
    {
        MediaCheck check = Bytes.Inspect(Bytes.FirstHalf(MediaCorpus.Read("frag-obs.mp4")));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Contains("cut off", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_corpus_file_has_its_expected_verdict_above()
    {
        string[] judged = [.. Videos.Select(row => (string)row[0]), .. Images.Select(row => (string)row[0])];

        Assert.Equal(judged.Order(), Directory.GetFiles(Path.GetDirectoryName(MediaCorpus.PathOf("high.mp4"))!).Select(Path.GetFileName).Order());
    }
}
