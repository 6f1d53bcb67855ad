using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

/// <summary>Whatever the bytes, the inspector answers: no exception, no hang.</summary>
public class RobustnessTests
{
    private const string Unreadable = "The file could not be read; it appears to be damaged.";

    public static TheoryData<string> RealFiles() =>
        [Fixture.H264Aac, Fixture.H264AacMoovLast, Fixture.Hevc, Fixture.Jpeg, Fixture.Png];

    [Theory]
    [MemberData(nameof(RealFiles))]
    public void Every_truncation_of_a_real_file_is_corrupt(string name)
    {
        byte[] file = Fixture.Read(name);
        for (int length = 0; length < file.Length; length++)
        {
            MediaCheck check = Bytes.Inspect(file[..length]);

            // Below the 8-byte signatures a stub may not be recognisable at all.
            MediaFailureReason expected = length < 8 && check.Failure == MediaFailureReason.InvalidFormat
                ? MediaFailureReason.InvalidFormat
                : MediaFailureReason.FileCorrupt;
            Assert.True(check.Failure == expected, $"{name} cut to {length} bytes: {check.Failure} {check.Detail}");
        }
    }

    [Theory]
    [MemberData(nameof(RealFiles))]
    public void Random_byte_flips_in_a_real_file_never_throw(string name)
    {
        byte[] original = Fixture.Read(name);
        var random = new Random(name.Length);
        for (int round = 0; round < 1000; round++)
        {
            byte[] file = [.. original];
            for (int flips = random.Next(1, 8); flips > 0; flips--)
            {
                file[random.Next(file.Length)] = (byte)random.Next(256);
            }

            MediaCheck check = Bytes.Inspect(file);

            // The readers must catch every contradiction themselves: the generic fallback means a reader threw.
            Assert.True(check.IsValid || check.Detail is { Length: > 0 });
            Assert.NotEqual(Unreadable, check.Detail);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF })]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })]
    [InlineData(new byte[] { 0, 0, 0, 16, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m' })]
    public void A_real_signature_followed_by_garbage_is_corrupt_not_an_exception(byte[] signature)
    {
        var random = new Random(99);
        for (int round = 0; round < 200; round++)
        {
            byte[] tail = new byte[random.Next(0, 2000)];
            random.NextBytes(tail);

            MediaCheck check = Bytes.Inspect([.. signature, .. tail]);

            Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
            Assert.NotEqual(Unreadable, check.Detail);
        }
    }

    [Fact]
    public void An_io_error_from_the_stream_itself_propagates()
    {
        using var stream = new FailingStream(Fixture.Read(Fixture.H264Aac), failAfter: 100, new IOException("disk gone"));
        Assert.Throws<IOException>(() => MediaInspector.Inspect(stream));
    }

    [Fact]
    public void Any_other_unexpected_exception_becomes_a_generic_corrupt_verdict()
    {
        using var stream = new FailingStream(Fixture.Read(Fixture.H264Aac), failAfter: 100, new InvalidOperationException("bug"));

        MediaCheck check = MediaInspector.Inspect(stream);

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Equal(Unreadable, check.Detail);
    }

    /// <summary>Serves the bytes until the reads reach <c>failAfter</c>, then throws.</summary>
    private sealed class FailingStream(byte[] data, long failAfter, Exception error) : MemoryStream(data, writable: false)
    {
        // MemoryStream routes span reads of a derived type through this overload.
        public override int Read(byte[] buffer, int offset, int count) =>
            Position + count > failAfter ? throw error : base.Read(buffer, offset, count);
    }
}
