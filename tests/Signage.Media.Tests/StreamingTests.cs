using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

/// <summary>Memory must not grow with the file: big files are stepped over, not read in.</summary>
public class StreamingTests
{
    // Allocation is measured on the calling thread: Inspect is synchronous, and other tests running in
    // parallel cannot disturb a per-thread counter the way they would the process-wide one.
    private static long AllocatedBy(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_200_mb_video_is_inspected_without_reading_its_media_data_into_memory(bool moovAfterMdat)
    {
        // 120 s at 30 fps, every frame listed in an stsz table (14 KB, read in chunks), about 200 MB of mdat.
        var video = VideoTrackSpec.At(30, 120, frameSize: 58_254) with { SizeTable = true };
        var spec = new Mp4Spec { Video = video, MoovAfterMdat = moovAfterMdat };
        string path = Path.Combine(Path.GetTempPath(), $"signage-media-{Guid.NewGuid():N}.mp4");
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew))
            {
                Mp4Builder.Write(file, spec); // sparse: the mdat payload is seeked over, not written
            }

            Assert.InRange(new FileInfo(path).Length, 200_000_000, 220_000_000);
            MediaInspector.Inspect(path); // warm-up, so one-time static setup is not counted

            MediaCheck check = null!;
            long allocated = AllocatedBy(() => check = MediaInspector.Inspect(path));

            Assert.True(allocated < 2 * 1024 * 1024, $"allocated {allocated:N0} bytes");
            Assert.Equal(MediaFailureReason.BitrateExceeded, check.Failure); // 3 600 × 58 254 B × 8 ÷ 120 s ≈ 14 Mbps
            Assert.Equal(13_980_960, check.Info!.BitsPerSecond);
            Assert.Equal("Video bitrate is 14 Mbps; the maximum is 10 Mbps.", check.Detail);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_large_png_is_checksummed_through_a_fixed_buffer()
    {
        // One 8 MB IDAT chunk: every byte must pass through the CRC, none may stay in memory.
        var png = new BigEndianWriter().Bytes(PngBuilder.Build(16, 16).AsSpan(0, 8 + 25));
        PngBuilder.Chunk(png, "IDAT", new byte[8 * 1024 * 1024]);
        PngBuilder.Chunk(png, "IEND", []);
        byte[] bytes = png.ToArray();
        Assert.True(Bytes.Inspect(bytes).IsValid);

        MediaCheck check = null!;
        long allocated = AllocatedBy(() => check = Bytes.Inspect(bytes));

        Assert.True(check.IsValid, check.Detail);
        Assert.True(allocated < 256 * 1024, $"allocated {allocated:N0} bytes");
    }
}
