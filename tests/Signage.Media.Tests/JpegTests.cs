using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

public class JpegTests
{
    [Fact]
    public void A_well_formed_jpeg_reports_its_size_and_type()
    {
        MediaCheck check = Bytes.Inspect(JpegBuilder.Build(1280, 720));

        Assert.True(check.IsValid);
        Assert.Null(check.Detail);
        Assert.Equal(new MediaInfo(MediaType.Image, "image/jpeg", 1280, 720, null, null, null, null, null), check.Info);
    }

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(1080, 1920)]
    [InlineData(1, 1)]
    public void A_jpeg_at_or_under_the_limit_in_either_orientation_is_valid(int width, int height) =>
        Assert.True(Bytes.Inspect(JpegBuilder.Build(width, height)).IsValid);

    [Theory]
    [InlineData(4000, 3000, "Image is 4000×3000; the maximum is 1920×1080.")]
    [InlineData(1921, 1080, "Image is 1921×1080; the maximum is 1920×1080.")]
    [InlineData(1080, 1921, "Image is 1080×1921; the maximum is 1080×1920.")]
    [InlineData(1200, 1200, "Image is 1200×1200; the maximum is 1920×1080.")]
    public void A_jpeg_over_the_limit_is_resolution_exceeded_naming_both_sizes(int width, int height, string detail)
    {
        MediaCheck check = Bytes.Inspect(JpegBuilder.Build(width, height));

        Assert.Equal(MediaFailureReason.ResolutionExceeded, check.Failure);
        Assert.Equal(detail, check.Detail);
        Assert.Equal((width, height), (check.Info!.Width, check.Info.Height));
    }

    [Fact]
    public void A_jpeg_without_its_end_marker_is_corrupt()
    {
        MediaCheck check = Bytes.Inspect(JpegBuilder.Build(800, 600, withEnd: false));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Equal("The JPEG file is cut off: it ends before the image is complete.", check.Detail);
    }

    [Fact]
    public void A_jpeg_without_a_frame_header_is_corrupt()
    {
        MediaCheck check = Bytes.Inspect(JpegBuilder.Build(800, 600, withFrameHeader: false));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Contains("no frame header", check.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0xFFFF)] // runs past the end of the file
    [InlineData(0)]      // shorter than the length field itself
    [InlineData(1)]
    [InlineData(40)]     // lands in the middle of the next segment
    public void A_jpeg_with_a_garbage_segment_length_is_corrupt(int length) =>
        Assert.Equal(MediaFailureReason.FileCorrupt, Bytes.Inspect(JpegBuilder.Build(800, 600, app0Length: length)).Failure);

    [Theory]
    [InlineData(0, 600)]
    [InlineData(800, 0)]
    public void A_jpeg_claiming_a_zero_dimension_is_corrupt(int width, int height) =>
        Assert.Equal(MediaFailureReason.FileCorrupt, Bytes.Inspect(JpegBuilder.Build(width, height)).Failure);

    [Fact]
    public void A_jpeg_that_is_only_its_start_marker_is_corrupt() =>
        Assert.Equal(MediaFailureReason.FileCorrupt, Bytes.Inspect([0xFF, 0xD8, 0xFF]).Failure);

    [Fact]
    public void A_jpeg_larger_than_the_image_size_limit_is_file_size_exceeded()
    {
        byte[] jpeg = JpegBuilder.Build(800, 600);

        MediaCheck check = Bytes.Inspect(jpeg, MediaLimits.Default with { MaxImageBytes = 100 });

        Assert.Equal(MediaFailureReason.FileSizeExceeded, check.Failure);
        Assert.Equal($"Image is {jpeg.Length} bytes; the maximum is 100 bytes.", check.Detail);
    }

    [Fact]
    public void File_size_exceeded_rounds_the_actual_size_up_so_it_never_reads_as_the_limit()
    {
        byte[] small = JpegBuilder.Build(800, 600);
        byte[] jpeg = [.. small[..^2], .. new byte[(1024 * 1024) + 1 - small.Length], 0xFF, 0xD9]; // 1 MiB + 1 byte

        MediaCheck check = Bytes.Inspect(jpeg, MediaLimits.Default with { MaxImageBytes = 1024 * 1024 });

        Assert.Equal(MediaFailureReason.FileSizeExceeded, check.Failure);
        Assert.Equal("Image is 1.1 MiB; the maximum is 1 MiB.", check.Detail);
    }

    [Theory]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 })]       // a second JPEG (MPF depth map, preview)
    [InlineData(new byte[] { 0x12, 0x34, 0xFF, 0xD9, 0x55 })] // a trailer that itself holds an EOI
    public void Bytes_after_the_end_marker_are_a_trailer_and_do_not_change_the_verdict(byte[] trailer)
    {
        MediaCheck check = Bytes.Inspect([.. JpegBuilder.Build(800, 600), .. trailer]);

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal((800, 600), (check.Info!.Width, check.Info.Height));
    }

    [Fact]
    public void Stuffed_bytes_restart_markers_and_a_second_scan_are_read_through_to_the_end_marker()
    {
        byte[] jpeg = JpegBuilder.Build(800, 600);
        byte[] secondScan = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x42, 0xFF, 0x00, 0x43];
        byte[] withMore = [.. jpeg[..^2], 0xFF, 0x00, 0xFF, 0xD3, 0x11, 0xFF, 0xFF, .. secondScan, .. jpeg[^2..], 0xAA];

        Assert.True(Bytes.Inspect(withMore).IsValid);
        Assert.Equal("The JPEG file is cut off: it ends before the image is complete.", Bytes.Inspect(withMore[..^3]).Detail);
    }

    [Fact]
    public void An_end_marker_before_any_scan_is_corrupt()
    {
        byte[] jpeg = JpegBuilder.Build(800, 600);
        int sos = jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xDA]);

        MediaCheck check = Bytes.Inspect([.. jpeg[..sos], 0xFF, 0xD9]);

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Equal("The JPEG file is damaged: it ends before any image data (no scan).", check.Detail);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(5, true)]
    [InlineData(6, true)]
    [InlineData(7, true)]
    [InlineData(8, true)]
    [InlineData(0, false)] // out of range: shown as stored
    [InlineData(9, false)]
    public void Every_exif_orientation_gives_the_displayed_size(int orientation, bool turned)
    {
        foreach (bool littleEndian in (bool[])[true, false])
        {
            MediaCheck check = Bytes.Inspect(MediaCorpus.WithExifOrientation(JpegBuilder.Build(800, 600), orientation, littleEndian));

            Assert.True(check.IsValid, check.Detail);
            Assert.Equal(turned ? (600, 800) : (800, 600), (check.Info!.Width, check.Info.Height));
        }
    }

    [Fact]
    public void Garbled_exif_is_ignored_and_the_image_shown_as_stored()
    {
        byte[] exif = MediaCorpus.WithExifOrientation(JpegBuilder.Build(800, 600), 6, littleEndian: true);
        int ifdOffset = exif.AsSpan().IndexOf("II*\0"u8) + 4;
        exif[ifdOffset] = 0xF0; // IFD0 points past the segment

        MediaCheck check = Bytes.Inspect(exif);

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal((800, 600), (check.Info!.Width, check.Info.Height));
    }

    [Fact]
    public void A_turned_image_is_held_to_the_portrait_limit_in_its_displayed_orientation()
    {
        MediaCheck check = Bytes.Inspect(MediaCorpus.WithExifOrientation(JpegBuilder.Build(1920, 1200), 6, littleEndian: true));

        Assert.Equal(MediaFailureReason.ResolutionExceeded, check.Failure);
        Assert.Equal("Image is 1200×1920; the maximum is 1080×1920.", check.Detail);
    }
}
