namespace Signage.Media.Tests;

/// <summary>The committed real files under Fixtures/ (made by ffmpeg; see Fixtures/README.md).</summary>
internal static class Fixture
{
    public const string H264Aac = "real-h264-aac-160x90.mp4";
    public const string H264AacMoovLast = "real-h264-aac-160x90-moov-last.mp4";
    public const string Hevc = "real-hevc-160x90.mp4";
    public const string Jpeg = "real-160x90.jpg";
    public const string Png = "real-160x90.png";

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Read(string name) => File.ReadAllBytes(PathOf(name));
}
