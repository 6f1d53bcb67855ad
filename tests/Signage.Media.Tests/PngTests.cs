using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

public class PngTests
{
    [Fact]
    public void A_well_formed_png_reports_its_size_and_type()
    {
        MediaCheck check = Bytes.Inspect(PngBuilder.Build(1920, 1080));

        Assert.True(check.IsValid);
        Assert.Equal(new MediaInfo(MediaType.Image, "image/png", 1920, 1080, null, null, null, null, null), check.Info);
    }

    [Fact]
    public void A_portrait_png_up_to_1080_by_1920_is_valid() =>
        Assert.True(Bytes.Inspect(PngBuilder.Build(1080, 1920)).IsValid);

    [Fact]
    public void A_4k_png_is_resolution_exceeded()
    {
        MediaCheck check = Bytes.Inspect(PngBuilder.Build(3840, 2160));

        Assert.Equal(MediaFailureReason.ResolutionExceeded, check.Failure);
        Assert.Equal("Image is 3840×2160; the maximum is 1920×1080.", check.Detail);
        Assert.Equal("image/png", check.Info!.ContentType);
    }

    [Fact]
    public void Custom_resolution_limits_are_respected()
    {
        var limits = MediaLimits.Default with { MaxLongSide = 640, MaxShortSide = 480 };

        Assert.True(Bytes.Inspect(PngBuilder.Build(640, 480), limits).IsValid);
        Assert.Equal("Image is 641×480; the maximum is 640×480.", Bytes.Inspect(PngBuilder.Build(641, 480), limits).Detail);
    }

    [Fact]
    public void A_png_with_one_flipped_byte_in_its_image_data_fails_the_crc_and_is_corrupt()
    {
        byte[] png = PngBuilder.Build(320, 240);
        png[Bytes.BoxOffset(png, "IDAT") + 20] ^= 0x01;

        MediaCheck check = Bytes.Inspect(png);

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Equal("The PNG file is damaged: its 'IDAT' chunk failed its checksum.", check.Detail);
    }

    [Fact]
    public void A_png_with_a_flipped_byte_in_its_header_is_corrupt()
    {
        byte[] png = PngBuilder.Build(320, 240);
        png[18] ^= 0x40; // inside IHDR's width

        Assert.Equal(MediaFailureReason.FileCorrupt, Bytes.Inspect(png).Failure);
    }

    [Fact]
    public void A_png_without_iend_is_corrupt()
    {
        MediaCheck check = Bytes.Inspect(PngBuilder.Build(320, 240, withEnd: false));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Equal("The PNG file is cut off: it ends before the image is complete.", check.Detail);
    }

    [Fact]
    public void A_png_cut_in_half_is_corrupt() =>
        Assert.Equal(MediaFailureReason.FileCorrupt, Bytes.Inspect(Bytes.FirstHalf(PngBuilder.Build(320, 240))).Failure);

    [Fact]
    public void A_png_whose_chunk_length_points_past_the_end_is_corrupt()
    {
        byte[] png = PngBuilder.Build(320, 240);
        png = Bytes.WithUInt32(png, Bytes.BoxOffset(png, "IDAT"), 0x7FFF_FFF0);

        Assert.Equal(MediaFailureReason.FileCorrupt, Bytes.Inspect(png).Failure);
    }

    [Fact]
    public void A_png_claiming_zero_width_is_corrupt_even_with_a_valid_crc()
    {
        MediaCheck check = Bytes.Inspect(PngBuilder.Build(0, 240));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Contains("0×240", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_png_whose_first_chunk_is_not_ihdr_is_corrupt()
    {
        var png = new BigEndianWriter().Bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        PngBuilder.Chunk(png, "tEXt", "Comment\0hi"u8.ToArray());
        PngBuilder.Chunk(png, "IEND", []);

        Assert.Equal(MediaFailureReason.FileCorrupt, Bytes.Inspect(png.ToArray()).Failure);
    }

    [Fact]
    public void A_png_with_no_image_data_is_corrupt()
    {
        byte[] full = PngBuilder.Build(16, 16);
        var png = new BigEndianWriter().Bytes(full.AsSpan(0, 8 + 25)); // signature and IHDR
        PngBuilder.Chunk(png, "IEND", []);

        MediaCheck check = Bytes.Inspect(png.ToArray());

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Equal("The PNG file is damaged: it contains no image data.", check.Detail);
    }

    [Fact]
    public void A_png_larger_than_the_image_size_limit_is_file_size_exceeded()
    {
        MediaCheck check = Bytes.Inspect(PngBuilder.Build(320, 240), MediaLimits.Default with { MaxImageBytes = 64 });

        Assert.Equal(MediaFailureReason.FileSizeExceeded, check.Failure);
        Assert.Null(check.Info);
    }
}
