namespace Signage.Player.Core.Api;

/// <summary>The device-plane calls spec 27.1 limits per device.</summary>
public enum PacedEndpoint
{
    Manifest,
    Heartbeat,
    Events,
    Commands,
}

/// <summary>
/// Keeps one device within spec 27.1's per-device limits (manifest, heartbeat and command polls 2 a minute,
/// event batches 6 a minute) whatever else asks for a request: a short nextCheckSeconds, a wake-up signal, a
/// backlog of events. A call waits for its turn rather than earn a 429. At most <c>Limit</c> requests in any
/// <c>Window + Margin</c>: the appliance counts fixed windows from a request's arrival, so a sliding window a
/// little longer than its own keeps every one of its windows within the limit even when requests arrive late.
/// After a 429 the endpoint waits out the Retry-After. Slots are reserved in order, so two callers of one
/// endpoint never both take the last one. Time is the injected clock. With a <paramref name="file"/> the slots of
/// the last minute are kept on disk, so a player restarted (or killed) mid-minute does not start over at zero while
/// the appliance still counts what it sent.
/// </summary>
public sealed class RequestPacer(TimeProvider clock, string? file = null)
{
    /// <summary>Allowance for a request that arrives later than it was sent.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly List<DateTimeOffset>[] _sent = Load(file, clock.GetUtcNow());
    private readonly DateTimeOffset[] _blockedUntil = new DateTimeOffset[4];

    /// <summary>Spec 27.1: requests per minute per device.</summary>
    public static int Limit(PacedEndpoint endpoint) => endpoint == PacedEndpoint.Events ? 6 : 2;

    /// <summary>Waits until a request to <paramref name="endpoint"/> is within the limit and reserves it;
    /// returns the slot, to give back with <see cref="Refund"/> if the appliance did not count the request.</summary>
    public async Task<DateTimeOffset> WaitTurnAsync(PacedEndpoint endpoint, CancellationToken cancellationToken)
    {
        DateTimeOffset slot;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var sent = _sent[(int)endpoint];
            sent.RemoveAll(t => t <= now - Minute - Margin);
            slot = Max(now, _blockedUntil[(int)endpoint]);
            var limit = Limit(endpoint);
            if (sent.Count >= limit)
            {
                slot = Max(slot, sent[^limit] + Minute + Margin);
            }

            if (sent.Count > 0)
            {
                slot = Max(slot, sent[^1]);
            }

            sent.Add(slot);
            Save();
        }

        var wait = slot - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Refund(endpoint, slot);
                throw;
            }
        }

        return slot;
    }

    /// <summary>The request was not counted by the appliance (refused with 429, never connected, or a held
    /// manifest request that ended with news, which the appliance refunds too).</summary>
    public void Refund(PacedEndpoint endpoint, DateTimeOffset slot)
    {
        lock (_gate)
        {
            _sent[(int)endpoint].Remove(slot);
            Save();
        }
    }

    /// <summary>A 429: nothing more to this endpoint until the appliance's Retry-After (a minute if it gave none).</summary>
    public void Throttled(PacedEndpoint endpoint, TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            var until = clock.GetUtcNow() + (retryAfter is { } r && r > TimeSpan.Zero ? r : Minute);
            _blockedUntil[(int)endpoint] = Max(_blockedUntil[(int)endpoint], until);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    // One line a slot: "<endpoint> <unix ms>". Unreadable or out-of-range lines are skipped: the worst a lost
    // file does is one 429, which the Retry-After handling covers.
    private static List<DateTimeOffset>[] Load(string? file, DateTimeOffset now)
    {
        List<DateTimeOffset>[] sent = [[], [], [], []];
        try
        {
            if (file is null || !File.Exists(file))
            {
                return sent;
            }

            foreach (var line in File.ReadAllLines(file))
            {
                var parts = line.Split(' ');
                if (parts.Length == 2 && Enum.TryParse<PacedEndpoint>(parts[0], out var endpoint) && (int)endpoint is >= 0 and < 4
                    && long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var ms)
                    && DateTimeOffset.FromUnixTimeMilliseconds(ms) is var at && at > now - Minute - Margin && at <= now + Minute + Margin)
                {
                    sent[(int)endpoint].Add(at);
                }
            }
        }
        catch (IOException)
        {
        }

        foreach (var list in sent)
        {
            list.Sort();
        }

        return sent;
    }

    private void Save()
    {
        if (file is null)
        {
            return;
        }

        var text = new System.Text.StringBuilder();
        for (var i = 0; i < _sent.Length; i++)
        {
            foreach (var at in _sent[i])
            {
                text.Append((PacedEndpoint)i).Append(' ').Append(at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        try
        {
            Storage.AtomicFile.WriteAllBytes(file, System.Text.Encoding.ASCII.GetBytes(text.ToString()));
        }
        catch (IOException)
        {
            // Best effort: see Load.
        }
    }
}
