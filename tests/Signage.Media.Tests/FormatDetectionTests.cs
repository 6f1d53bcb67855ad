using System.Text;
using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

public class FormatDetectionTests
{
    [Fact]
    public void A_zip_archive_renamed_to_mp4_is_invalid_format()
    {
        string path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.mp4");
        try
        {
            using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
            {
                using var writer = new StreamWriter(zip.CreateEntry("menu.txt").Open());
                writer.Write("Happy hour 5–7pm");
            }

            MediaCheck check = MediaInspector.Inspect(path);

            Assert.Equal(MediaFailureReason.InvalidFormat, check.Failure);
            Assert.Equal("The file is not a JPEG, PNG or MP4; it is a ZIP archive.", check.Detail);
            Assert.Null(check.Info);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_text_file_renamed_to_jpg_is_invalid_format()
    {
        MediaCheck check = Bytes.Inspect(Encoding.UTF8.GetBytes("Tonight: live music from 9pm\n"));
        Assert.Equal(MediaFailureReason.InvalidFormat, check.Failure);
        Assert.Equal("The file is not a JPEG, PNG or MP4.", check.Detail);
    }

    [Fact]
    public void Random_bytes_are_invalid_format()
    {
        var data = new byte[4096];
        new Random(12345).NextBytes(data);
        data[0] = 0x42; // make sure the seed cannot start with a real signature

        Assert.Equal(MediaFailureReason.InvalidFormat, Bytes.Inspect(data).Failure);
    }

    [Fact]
    public void An_empty_file_is_invalid_format()
    {
        MediaCheck check = Bytes.Inspect([]);
        Assert.Equal(MediaFailureReason.InvalidFormat, check.Failure);
        Assert.Equal("The file is empty.", check.Detail);
    }

    [Theory]
    [InlineData("GIF89a......", "a GIF image")]
    [InlineData("%PDF-1.7....", "a PDF document")]
    [InlineData("RIFF....WEBPVP8 ", "a WebP image")]
    public void Other_common_formats_are_named_in_the_detail(string head, string named)
    {
        MediaCheck check = Bytes.Inspect(Encoding.ASCII.GetBytes(head + new string('.', 64)));
        Assert.Equal(MediaFailureReason.InvalidFormat, check.Failure);
        Assert.Equal($"The file is not a JPEG, PNG or MP4; it is {named}.", check.Detail);
    }

    [Fact]
    public void A_quicktime_movie_is_invalid_format_because_only_mp4_is_supported()
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { MajorBrand = "qt  " }));
        Assert.Equal(MediaFailureReason.InvalidFormat, check.Failure);
        Assert.Contains("QuickTime", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_heic_photo_is_invalid_format_not_a_broken_video()
    {
        MediaCheck check = Bytes.Inspect(Mp4Builder.Build(new Mp4Spec { MajorBrand = "heic" }));
        Assert.Equal(MediaFailureReason.InvalidFormat, check.Failure);
        Assert.Contains("HEIC", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_png_named_mp4_is_judged_by_its_bytes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.mp4");
        try
        {
            File.WriteAllBytes(path, PngBuilder.Build(640, 360));

            MediaCheck check = MediaInspector.Inspect(path);

            Assert.True(check.IsValid);
            Assert.Equal(new MediaInfo(MediaType.Image, "image/png", 640, 360, null, null, null, null, null), check.Info);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_stream_is_inspected_from_its_start_wherever_it_is_positioned()
    {
        using var stream = new MemoryStream(JpegBuilder.Build(800, 600));
        stream.Position = 100;
        Assert.True(MediaInspector.Inspect(stream).IsValid);
    }
}
