using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Signage.Player.EndToEnd.Tests;

/// <summary>
/// "kill -9 a player mid-download" (issue 10): the player reaches the appliance through a slow link (a relay in
/// this test that passes 1 MiB/s towards the player and notes the requests), is killed while a 6 MiB image is
/// half downloaded, and on restart asks for the rest with a Range request; nothing partial is ever in its media
/// folder or on screen, and the file it finally plays is whole and verified.
/// </summary>
public sealed partial class KilledMidDownloadTests(ITestOutputHelper output) : PlayerTestBase(output)
{
    private const int BytesPerSecond = 1024 * 1024;

    [Fact]
    public async Task A_player_killed_mid_download_resumes_with_a_range_request_after_restart_and_never_plays_a_partial_file()
    {
        await using var link = SlowLink.Start(Appliance.BaseAddress, BytesPerSecond);
        var small = await Appliance.UploadAsync("small.jpg", Jpeg("small"));
        var bigBytes = LargeJpeg(6 * 1024 * 1024);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bigBytes));
        var big = await Appliance.UploadAsync("big.jpg", bigBytes);
        await Appliance.SetFallbackAsync(await Appliance.PublishPlaylistAsync("Loop", (small, ItemMs), (big, ItemMs)));

        var data = Temp.Combine("screen1");
        var first = PlayerProcess.Start(link.Address, data);
        long killedAt;
        try
        {
            await WaitUntilAsync(() => first.PairingCode is not null, "a pairing code", first);
            await Appliance.ClaimAsync(first.PairingCode!, "screen1");
            var part = Path.Combine(data, "downloads", sha + ".part");
            await WaitUntilAsync(() => File.Exists(part) && new FileInfo(part).Length >= bigBytes.Length / 4, "a quarter of the big file downloaded", first,
                TimeSpan.FromSeconds(60));
            await first.KillHardAsync();
            killedAt = new FileInfo(part).Length;
            Assert.InRange(killedAt, 1, bigBytes.Length - 1);
            Assert.Empty(MediaFiles(data, sha));
            Assert.DoesNotContain(first.Frames(), f => f.AssetId == big);
        }
        finally
        {
            await first.DisposeAsync();
        }

        var requestsBefore = link.Requests.Count;
        await using var second = PlayerProcess.Start(link.Address, data);
        // Whenever the file is in media/, it is whole and verified; until then it never shows.
        while (!second.Frames().Any(f => f.AssetId == big))
        {
            foreach (var file in MediaFiles(data, sha)) Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(await ReadAsync(file))));
            Assert.True(DateTime.UtcNow - second.StartedAt < TimeSpan.FromSeconds(60), $"the big image never played\n{second.Describe()}");
            await Task.Delay(50);
        }
        var played = Assert.Single(MediaFiles(data, sha));
        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(played))));
        var resumed = link.Requests.Skip(requestsBefore).Where(r => r.Path.EndsWith(sha, StringComparison.Ordinal)).ToList();
        Log.WriteLine($"killed with {killedAt:N0} of {bigBytes.Length:N0} bytes; after the restart: {string.Join(", ", resumed.Select(r => r.Range ?? "no Range"))}");
        Assert.Equal($"bytes={killedAt}-", resumed.First().Range);
    }

    /// <summary>A valid JPEG (the fixture) of about <paramref name="size"/> bytes: COM segments of random bytes after SOI.</summary>
    private static byte[] LargeJpeg(int size)
    {
        var jpeg = Jpeg("large");
        var random = new Random(20261123);
        var bytes = new List<byte>(size + jpeg.Length) { jpeg[0], jpeg[1] };
        while (bytes.Count < size)
        {
            var filler = new byte[65_000];
            random.NextBytes(filler);
            bytes.AddRange([0xFF, 0xFE, (byte)((filler.Length + 2) >> 8), (byte)((filler.Length + 2) & 0xFF)]);
            bytes.AddRange(filler);
        }
        bytes.AddRange(jpeg.AsSpan(2).ToArray());
        return [.. bytes];
    }

    private static string[] MediaFiles(string data, string sha) =>
        Directory.Exists(Path.Combine(data, "media")) ? Directory.GetFiles(Path.Combine(data, "media"), sha + "*", SearchOption.AllDirectories) : [];

    private static async Task<byte[]> ReadAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        await file.CopyToAsync(memory);
        return memory.ToArray();
    }

    /// <summary>A TCP relay to the appliance that passes at most <c>bytesPerSecond</c> towards the client and notes
    /// each request's path and Range header (plain HTTP/1.1 on loopback).</summary>
    private sealed partial class SlowLink : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Uri _target;
        private readonly int _bytesPerSecond;
        private readonly List<(string Path, string? Range)> _requests = [];

        private SlowLink(Uri target, int bytesPerSecond)
        {
            _target = target;
            _bytesPerSecond = bytesPerSecond;
        }

        public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public IReadOnlyList<(string Path, string? Range)> Requests
        {
            get
            {
                lock (_requests) return [.. _requests];
            }
        }

        public static SlowLink Start(Uri target, int bytesPerSecond)
        {
            var link = new SlowLink(target, bytesPerSecond);
            link._listener.Start();
            _ = link.AcceptAsync();
            return link;
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
                _ = RelayAsync(client);
            }
        }

        private async Task RelayAsync(TcpClient client)
        {
            using (client)
            using (var server = new TcpClient())
            {
                try
                {
                    await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                    var up = PumpUpAsync(client.GetStream(), server.GetStream());
                    var down = PumpDownAsync(server.GetStream(), client.GetStream());
                    await Task.WhenAny(up, down);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // A side closed (the player was killed): the relay ends with it.
                }
            }
        }

        /// <summary>Player to appliance, unthrottled; request lines and Range headers noted.</summary>
        private async Task PumpUpAsync(NetworkStream from, NetworkStream to)
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                var text = Encoding.Latin1.GetString(buffer, 0, read);
                foreach (Match request in RequestHead().Matches(text))
                {
                    var range = RangeHeader().Match(request.Value);
                    lock (_requests) _requests.Add((request.Groups[1].Value, range.Success ? range.Groups[1].Value.Trim() : null));
                }
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
            to.Socket.Shutdown(SocketShutdown.Send);
        }

        /// <summary>Appliance to player, at most the link's rate.</summary>
        private async Task PumpDownAsync(NetworkStream from, NetworkStream to)
        {
            var buffer = new byte[16 * 1024];
            var clock = System.Diagnostics.Stopwatch.StartNew();
            long sent = 0;
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                sent += read;
                var due = TimeSpan.FromSeconds((double)sent / _bytesPerSecond) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due, _stop.Token);
            }
        }

        public ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
            return ValueTask.CompletedTask;
        }

        [GeneratedRegex(@"(?:GET|HEAD) (\S+) HTTP/1\.1\r\n(?:[^\r\n]*\r\n)*?\r\n")]
        private static partial Regex RequestHead();

        [GeneratedRegex(@"(?im)^Range:([^\r\n]*)")]
        private static partial Regex RangeHeader();
    }
}
