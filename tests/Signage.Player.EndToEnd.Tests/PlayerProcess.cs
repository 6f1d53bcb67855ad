using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Player.EndToEnd.Tests;

/// <summary>A real headless player process (<c>dotnet signage-player-headless.dll</c>) with its output captured.</summary>
public sealed partial class PlayerProcess : IAsyncDisposable
{
    private static readonly Lazy<string> Dll = new(LocateDll, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private PlayerProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
        StartedAt = DateTimeOffset.UtcNow;
    }

    public string DataDirectory { get; }

    public DateTimeOffset StartedAt { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public IReadOnlyList<string> Output => [.. _output];

    public string StatusPath => Path.Combine(DataDirectory, "status.json");

    public string FramesPath => Path.Combine(DataDirectory, "frames.jsonl");

    public static PlayerProcess Start(Uri appliance, string dataDirectory, string? hardwareId = null)
    {
        List<string> arguments = [Dll.Value, "--appliance", appliance.ToString(), "--data-dir", dataDirectory];
        if (hardwareId is not null) arguments.AddRange(["--hardware-id", hardwareId]);
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var player = new PlayerProcess(process, dataDirectory);
        process.OutputDataReceived += (_, e) => player.OnLine("out: ", e.Data);
        process.ErrorDataReceived += (_, e) => player.OnLine("err: ", e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return player;
    }

    /// <summary>The code from the last <c>PAIRING CODE 123456 …</c> line on standard output, or null.</summary>
    public string? PairingCode =>
        _output.Reverse().Select(l => PairingLine().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value;

    /// <summary>status.json, or null while it is not there yet.</summary>
    public JsonElement? Status()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (!File.Exists(StatusPath)) return null;
                using var document = JsonDocument.Parse(File.ReadAllBytes(StatusPath));
                return document.RootElement.Clone();
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                Thread.Sleep(20);
            }
        }
        return null;
    }

    public string? State => Status()?.GetProperty("state").GetString();

    public int QueuedEvents => Status()?.GetProperty("queuedEvents").GetInt32() ?? 0;

    /// <summary>Every complete line of frames.jsonl so far.</summary>
    public IReadOnlyList<FrameLine> Frames() => ReadFrames(FramesPath);

    public static IReadOnlyList<FrameLine> ReadFrames(string path)
    {
        if (!File.Exists(path)) return [];
        string text;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(file))
        {
            text = reader.ReadToEnd();
        }
        var frames = new List<FrameLine>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                frames.Add(new FrameLine(
                    DateTimeOffset.Parse(root.GetProperty("atUtc").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                    root.GetProperty("screen").GetString()!,
                    root.TryGetProperty("assetId", out var asset) && asset.ValueKind == JsonValueKind.String ? asset.GetString() : null,
                    root.TryGetProperty("playlistId", out var playlist) && playlist.ValueKind == JsonValueKind.String ? playlist.GetString() : null,
                    root.TryGetProperty("itemIndex", out var index) && index.ValueKind == JsonValueKind.Number ? index.GetInt32() : null));
            }
            catch (JsonException)
            {
                // A line cut short by kill -9: not a frame.
            }
        }
        return frames;
    }

    /// <summary>SIGTERM and wait for the exit code.</summary>
    public async Task<int> StopAsync()
    {
        _ = Kill(_process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>kill -9: no chance to record anything.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    public string Describe() => $"player output:\n{string.Join('\n', Output.TakeLast(60))}\nstatus: {Status()}";

    private void OnLine(string prefix, string? line)
    {
        if (line is not null) _output.Enqueue(prefix + line);
    }

    private static string LocateDll()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("SIGNAGE_PLAYER_HEADLESS_DLL");
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
        // This assembly sits in tests/Signage.Player.EndToEnd.Tests/bin/<Configuration>/<tfm>/; the ProjectReference
        // built the headless player with the same configuration and framework.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!.Name;
        var dll = Path.Combine(NativeAppliance.RepositoryRoot, "player-maui", "Signage.Player.Headless", "bin", configuration, tfm.Name,
            "signage-player-headless.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The headless player is not built at '{dll}'.");
    }

    [GeneratedRegex(@"PAIRING CODE (\S+)")]
    private static partial Regex PairingLine();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>One line of a player's frames.jsonl.</summary>
public sealed record FrameLine(DateTimeOffset AtUtc, string Screen, string? AssetId, string? PlaylistId, int? ItemIndex)
{
    public bool IsContent => Screen is "IMAGE" or "VIDEO";
}
