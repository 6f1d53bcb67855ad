using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Signage.Media.Tests.Builders;

/// <summary>
/// Realistic uploads made by ffmpeg (libx264, aac, mjpeg) at test time, once per test run, into a temp
/// folder: the kinds of file phones, editors, screen recorders and OBS produce, and their neighbours.
/// Generating them takes about two seconds and keeps binaries out of the repository. ffprobe is the
/// independent reference the verdicts are compared with.
/// </summary>
internal static class MediaCorpus
{
    // 1 s, 160×90, 25 fps H.264 with mono AAC; keyframes every 10 frames so fragmented files have several fragments.
    private const string Source = "-f lavfi -i testsrc=size={0}:rate=25 -f lavfi -i sine=frequency=440:sample_rate=22050 -t 1";
    private const string Encode = "-c:v libx264 -g 10 -b:v 60k -c:a aac -b:a 24k -ac 1 -map_metadata -1 -fflags +bitexact";

    /// <summary>Video files: name → the ffmpeg output options after the common source and encoder options.</summary>
    public static readonly IReadOnlyDictionary<string, string> Videos = new Dictionary<string, string>
    {
        ["baseline-faststart.mp4"] = "-profile:v baseline -pix_fmt yuv420p -movflags +faststart",
        ["main-moov-last.mp4"] = "-profile:v main -pix_fmt yuv420p",
        ["high.mp4"] = "-profile:v high -pix_fmt yuv420p",
        ["high-fullrange.mp4"] = "-profile:v high -pix_fmt yuvj420p",
        ["frag-keyframe-empty-moov.mp4"] = "-pix_fmt yuv420p -movflags +frag_keyframe+empty_moov",
        ["frag-default-base-moof.mp4"] = "-pix_fmt yuv420p -movflags +frag_keyframe+empty_moov+default_base_moof",
        ["frag-obs.mp4"] = "-pix_fmt yuv420p -movflags +frag_keyframe+empty_moov+delay_moov",
        ["frag-first-in-moov.mp4"] = "-pix_fmt yuv420p -movflags +frag_keyframe",
        ["frag-every-200ms.mp4"] = "-pix_fmt yuv420p -movflags +empty_moov -frag_duration 200000",
        ["frag-global-sidx.mp4"] = "-pix_fmt yuv420p -movflags +frag_keyframe+empty_moov+default_base_moof+global_sidx",
        ["frag-cmaf.mp4"] = "-pix_fmt yuv420p -movflags +cmaf",
        ["high10.mp4"] = "-pix_fmt yuv420p10le",
        ["high422.mp4"] = "-pix_fmt yuv422p",
        ["high444.mp4"] = "-pix_fmt yuv444p",
        ["frag-high10.mp4"] = "-pix_fmt yuv420p10le -movflags +frag_keyframe+empty_moov",
        ["portrait-90x160.mp4"] = "-pix_fmt yuv420p",
    };

    /// <summary>Rotated copies of high.mp4 (stream copy with the rotate tag, which ffmpeg writes as the tkhd matrix).</summary>
    public static readonly IReadOnlyDictionary<string, int> Rotated = new Dictionary<string, int>
    {
        ["rotated-90.mp4"] = 90,
        ["rotated-180.mp4"] = 180,
        ["rotated-270.mp4"] = 270,
    };

    private static readonly Lazy<string> Folder = new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string PathOf(string name) => Path.Combine(Folder.Value, name);

    public static byte[] Read(string name) => File.ReadAllBytes(PathOf(name));

    private static string Generate()
    {
        string folder = Path.Combine(Path.GetTempPath(), "signage-media-corpus-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);

        foreach ((string name, string options) in Videos)
        {
            string size = name.StartsWith("portrait", StringComparison.Ordinal) ? "90x160" : "160x90";
            Ffmpeg($"{string.Format(CultureInfo.InvariantCulture, Source, size)} {Encode} {options} {Path.Combine(folder, name)}");
        }

        foreach ((string name, int degrees) in Rotated)
        {
            Ffmpeg($"-i {Path.Combine(folder, "high.mp4")} -c copy -metadata:s:v:0 rotate={degrees} {Path.Combine(folder, name)}");
        }

        string jpeg = Path.Combine(folder, "plain.jpg");
        Ffmpeg($"-f lavfi -i testsrc=size=160x90 -frames:v 1 -q:v 8 -map_metadata -1 -fflags +bitexact {jpeg}");
        byte[] plain = File.ReadAllBytes(jpeg);
        Write(folder, "padded.jpg", [.. plain, .. new byte[4096]]);
        Write(folder, "motion-photo.jpg", [.. plain, .. File.ReadAllBytes(Path.Combine(folder, "baseline-faststart.mp4"))]);
        Write(folder, "vendor-trailer.jpg", [.. plain, .. "\0\0SEFHvendor trailer: camera settings, depth map index"u8, 0xFF, 0xD8, 0xFF]);
        Write(folder, "truncated-half.jpg", plain[..(plain.Length / 2)]);
        Write(folder, "truncated-before-eoi.jpg", plain[..^2]);
        Write(folder, "truncated-then-zero-padded.jpg", [.. plain[..(plain.Length / 2)], .. new byte[4096]]);
        foreach (int orientation in (int[])[1, 3, 6, 8])
        {
            Write(folder, $"exif-{orientation}.jpg", WithExifOrientation(plain, orientation, littleEndian: true));
        }

        Write(folder, "exif-6-motorola.jpg", WithExifOrientation(plain, 6, littleEndian: false));
        return folder;
    }

    /// <summary>Inserts an APP1 EXIF segment right after SOI holding one IFD0 entry: Orientation (0x0112, SHORT).</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation, bool littleEndian)
    {
        var tiff = new byte[8 + 2 + 12 + 4];
        void U16(int at, int v)
        {
            if (littleEndian) BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), (ushort)v);
            else BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at), (ushort)v);
        }

        void U32(int at, uint v)
        {
            if (littleEndian) BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at), v);
            else BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(at), v);
        }

        (littleEndian ? "II"u8 : "MM"u8).CopyTo(tiff);
        U16(2, 42);
        U32(4, 8);       // IFD0 right after the header
        U16(8, 1);       // one entry
        U16(10, 0x0112); // Orientation
        U16(12, 3);      // SHORT
        U32(14, 1);      // count
        U16(18, orientation);
        byte[] content = [.. "Exif\0\0"u8, .. tiff];
        byte[] segment = [0xFF, 0xE1, (byte)((content.Length + 2) >> 8), (byte)(content.Length + 2), .. content];
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    private static void Write(string folder, string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(folder, name), bytes);

    private static void Ffmpeg(string arguments) => Run("ffmpeg", "-nostdin -v error -y " + arguments);

    /// <summary>What ffmpeg's decoder complains about when it decodes the whole file; empty when it decodes cleanly.</summary>
    public static string DecodeErrors(string path) => Run("ffmpeg", $"-nostdin -v error -i {path} -f null -", errorsToo: true);

    private static string Run(string tool, string arguments, bool errorsToo = false)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"{tool} did not start");
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {arguments} failed: {errors.Result}");
        return errorsToo ? output + errors.Result : output;
    }

    /// <summary>What ffprobe says about a file's first video stream: coded size, rotation, profile, duration
    /// (the longest stream's, or the container's), frame count and the bytes of all audio and video packets.</summary>
    public static Probe Ffprobe(string path)
    {
        using JsonDocument json = JsonDocument.Parse(Run("ffprobe",
            $"-v error -show_streams -show_format -count_packets -show_entries packet=size,codec_type -of json {path}"));
        JsonElement root = json.RootElement;
        JsonElement video = root.GetProperty("streams").EnumerateArray().First(s => s.GetProperty("codec_type").GetString() == "video");
        int rotation = 0;
        if (video.TryGetProperty("side_data_list", out JsonElement sideData))
        {
            foreach (JsonElement item in sideData.EnumerateArray())
            {
                if (item.TryGetProperty("rotation", out JsonElement r)) rotation = r.GetInt32();
            }
        }

        double Seconds(JsonElement e) => e.TryGetProperty("duration", out JsonElement d) ? double.Parse(d.GetString()!, CultureInfo.InvariantCulture) : 0;
        double duration = root.GetProperty("streams").EnumerateArray().Max(Seconds);
        long packetBytes = root.GetProperty("packets").EnumerateArray()
            .Where(p => p.GetProperty("codec_type").GetString() is "video" or "audio")
            .Sum(p => long.Parse(p.GetProperty("size").GetString()!, CultureInfo.InvariantCulture));
        return new Probe(
            video.GetProperty("codec_name").GetString()!,
            video.TryGetProperty("profile", out JsonElement profile) ? profile.GetString() : null,
            video.GetProperty("width").GetInt32(),
            video.GetProperty("height").GetInt32(),
            rotation,
            duration > 0 ? duration : Seconds(root.GetProperty("format")),
            Seconds(video),
            int.Parse(video.GetProperty("nb_read_packets").GetString()!, CultureInfo.InvariantCulture),
            packetBytes);
    }

    internal sealed record Probe(string Codec, string? Profile, int Width, int Height, int Rotation, double Seconds,
        double VideoSeconds, int VideoFrames, long PacketBytes)
    {
        /// <summary>The size a player shows: the coded size turned by the display matrix.</summary>
        public (int Width, int Height) Displayed => Math.Abs(Rotation) % 180 == 90 ? (Height, Width) : (Width, Height);
    }
}
