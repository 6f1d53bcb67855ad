using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Signage.TestInfrastructure;

/// <summary>
/// A TCP relay on loopback that stands for a bad network between two real processes: latency per chunk, a bandwidth
/// cap towards the client, connections reset after N bytes, at random (seeded) or as each answer starts, and refused connections for a
/// while. The faults are properties the test changes while traffic flows; <see cref="Heal"/> turns them all off.
/// It also notes each plain HTTP/1.1 request's method, path and Range header seen towards the target.
/// </summary>
public sealed partial class FaultyLink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Uri _target;
    private readonly Random _random;
    private readonly List<(string Method, string Path, string? Range)> _requests = [];
    private readonly List<string> _cutRequests = [];
    private int _cuts;
    private int _answersCut;
    private int _refusals;
    private int _connections;

    private FaultyLink(Uri target, int seed)
    {
        _target = target;
        _random = new Random(seed);
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Added before each chunk is passed on, in either direction.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>At most this many bytes a second towards the client (0: no cap).</summary>
    public int BytesPerSecond { get; set; }

    /// <summary>The chance, for each chunk in either direction, that the connection is reset instead (both sides).</summary>
    public double CutChance { get; set; }

    /// <summary>Every connection is reset once this many bytes (both directions together) have passed (0: never).</summary>
    public long CutAfterBytes { get; set; }

    /// <summary>Every answer is cut at its first chunk: the target had the whole request (and may have acted on it),
    /// the client never learns the outcome.</summary>
    public bool CutAnswers { get; set; }

    /// <summary>New connections are accepted and reset at once, as if the far side refused them.</summary>
    public bool Refusing { get; set; }

    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>Cuts made while passing bytes towards the client: an answer cut after the target had the whole request.</summary>
    public int AnswersCut => Volatile.Read(ref _answersCut);

    public int Refusals => Volatile.Read(ref _refusals);

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>For each cut the link made, the last request ("METHOD path") seen on that connection.</summary>
    public IReadOnlyList<string> CutRequests
    {
        get
        {
            lock (_cutRequests) return [.. _cutRequests];
        }
    }

    public IReadOnlyList<(string Method, string Path, string? Range)> Requests
    {
        get
        {
            lock (_requests) return [.. _requests];
        }
    }

    public static FaultyLink Start(Uri target, int seed = 20261123)
    {
        var link = new FaultyLink(target, seed);
        link._listener.Start();
        _ = link.AcceptAsync();
        return link;
    }

    /// <summary>No more faults: no latency, no cap, no cuts, no refusals.</summary>
    public void Heal()
    {
        (Latency, BytesPerSecond, CutChance, CutAfterBytes, CutAnswers, Refusing) = (TimeSpan.Zero, 0, 0, 0, false, false);
    }

    private bool Roll(double chance)
    {
        if (chance <= 0) return false;
        lock (_random) return _random.NextDouble() < chance;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            if (Refusing)
            {
                Interlocked.Increment(ref _refusals);
                Reset(client);
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var connection = new Connection(client, server, cut);
        try
        {
            await server.ConnectAsync(_target.Host, _target.Port, cut.Token);
            var up = PumpAsync(connection, client, server, towardsClient: false);
            var down = PumpAsync(connection, server, client, towardsClient: true);
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A side closed, or the link cut it: the relay ends with it.
        }
        finally
        {
            if (connection.WasCut)
            {
                Interlocked.Increment(ref _cuts);
                lock (_cutRequests) _cutRequests.Add(connection.LastRequest ?? "(before any request)");
            }
            Reset(client);
            Reset(server);
        }
    }

    private async Task PumpAsync(Connection connection, Socket from, Socket to, bool towardsClient)
    {
        var buffer = new byte[16 * 1024];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long sent = 0;
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, connection.Cut.Token)) > 0)
            {
                if (!towardsClient) NoteRequests(connection, buffer.AsSpan(0, read));
                if (Latency > TimeSpan.Zero) await Task.Delay(Latency, connection.Cut.Token);
                var total = Interlocked.Add(ref connection.Bytes, read);
                if ((towardsClient && CutAnswers) || Roll(CutChance) || (CutAfterBytes > 0 && total >= CutAfterBytes))
                {
                    // Pass on only part of the chunk, then reset both sides: a request or answer cut in the middle.
                    if (towardsClient) Interlocked.Increment(ref _answersCut);
                    var part = Random.Shared.Next(read);
                    await to.SendAsync(buffer.AsMemory(0, part), connection.Cut.Token);
                    connection.CutNow();
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), connection.Cut.Token);
                sent += read;
                var cap = BytesPerSecond;
                if (towardsClient && cap > 0)
                {
                    var due = TimeSpan.FromSeconds((double)sent / cap) - clock.Elapsed;
                    if (due > TimeSpan.Zero) await Task.Delay(due, connection.Cut.Token);
                }
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            connection.CutNow(byTheLink: false);
        }
    }

    private void NoteRequests(Connection connection, ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        foreach (Match request in RequestHead().Matches(text))
        {
            var range = RangeHeader().Match(request.Value);
            connection.LastRequest = $"{request.Groups[1].Value} {request.Groups[2].Value}";
            lock (_requests) _requests.Add((request.Groups[1].Value, request.Groups[2].Value, range.Success ? range.Groups[1].Value.Trim() : null));
        }
    }

    /// <summary>Closes with RST (linger 0), as a broken network or a refusing host looks to the other side.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Connection(Socket client, Socket server, CancellationTokenSource cut)
    {
        public long Bytes;

        public string? LastRequest { get; set; }

        public CancellationTokenSource Cut { get; } = cut;

        public bool WasCut { get; private set; }

        public void CutNow(bool byTheLink = true)
        {
            lock (this)
            {
                if (Cut.IsCancellationRequested) return;
                WasCut |= byTheLink;
                Cut.Cancel();
            }
            Reset(client);
            Reset(server);
        }
    }

    [GeneratedRegex(@"(GET|HEAD|POST|PUT|DELETE|PATCH) (\S+) HTTP/1\.1\r\n(?:[^\r\n]*\r\n)*?\r\n")]
    private static partial Regex RequestHead();

    [GeneratedRegex(@"(?im)^Range:([^\r\n]*)")]
    private static partial Regex RangeHeader();
}
