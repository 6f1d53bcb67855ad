namespace Signage.Media.Tests;

public class ApiTests
{
    [Theory]
    [InlineData(MediaFailureReason.InvalidFormat, "INVALID_FORMAT")]
    [InlineData(MediaFailureReason.InvalidCodec, "INVALID_CODEC")]
    [InlineData(MediaFailureReason.ResolutionExceeded, "RESOLUTION_EXCEEDED")]
    [InlineData(MediaFailureReason.DurationExceeded, "DURATION_EXCEEDED")]
    [InlineData(MediaFailureReason.BitrateExceeded, "BITRATE_EXCEEDED")]
    [InlineData(MediaFailureReason.FileSizeExceeded, "FILE_SIZE_EXCEEDED")]
    [InlineData(MediaFailureReason.FileCorrupt, "FILE_CORRUPT")]
    public void Every_failure_reason_has_the_wire_name_from_the_spec(MediaFailureReason reason, string wireName) =>
        Assert.Equal(wireName, reason.ToWireName());

    [Fact]
    public void Every_failure_reason_is_covered_by_the_wire_name_test() =>
        Assert.Equal(7, Enum.GetValues<MediaFailureReason>().Length);

    [Fact]
    public void An_unknown_failure_reason_has_no_wire_name() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ((MediaFailureReason)99).ToWireName());

    [Fact]
    public void Default_limits_are_the_spec_limits()
    {
        MediaLimits limits = MediaLimits.Default;
        Assert.Equal(1920, limits.MaxLongSide);
        Assert.Equal(1080, limits.MaxShortSide);
        Assert.Equal(30, limits.MaxFramesPerSecond);
        Assert.Equal(10_000_000, limits.MaxBitsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(120), limits.MaxDuration);
        Assert.Equal(20 * 1024 * 1024, limits.MaxImageBytes);
        Assert.Equal(1024L * 1024 * 1024, limits.MaxVideoBytes);
    }

    [Fact]
    public void Media_type_values_are_stable() =>
        Assert.Equal((0, 1), ((int)MediaType.Image, (int)MediaType.Video));

    [Fact]
    public void Crc32_matches_the_standard_check_value() =>
        Assert.Equal(0xCBF4_3926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void Crc32_table_agrees_with_a_bitwise_crc_on_random_data()
    {
        var data = new byte[5000];
        new Random(7).NextBytes(data);
        Assert.Equal(Builders.PngBuilder.BitwiseCrc32(data), Crc32.Compute(data));
    }

    [Fact]
    public void A_stream_that_cannot_seek_is_refused()
    {
        using var stream = new NonSeekableStream();
        Assert.Throws<ArgumentException>(() => MediaInspector.Inspect(stream));
    }

    private sealed class NonSeekableStream : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
