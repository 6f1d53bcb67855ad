namespace Signage.Contracts;

/// <summary>One row of a proof-of-play report: a campaign, content (asset), screen or day, with its
/// label where it has one. <see cref="Plays"/> and <see cref="TotalDurationMs"/> count COMPLETED plays
/// only (what a venue bills); the other PLAY_END results are counted beside them, never as plays:
/// <see cref="Interrupted"/> (with the milliseconds shown before the cut), <see cref="Failed"/> (ERROR)
/// and <see cref="Skipped"/>.</summary>
public sealed record ReportRow(string Key, string? Label, long Plays, long TotalDurationMs, long Interrupted, long InterruptedDurationMs, long Failed,
    long Skipped);

public sealed record ReportTotal(long Plays, long TotalDurationMs, long Interrupted, long InterruptedDurationMs, long Failed, long Skipped)
{
    public static ReportTotal Of(IReadOnlyCollection<ReportRow> rows) => new(rows.Sum(r => r.Plays), rows.Sum(r => r.TotalDurationMs),
        rows.Sum(r => r.Interrupted), rows.Sum(r => r.InterruptedDurationMs), rows.Sum(r => r.Failed), rows.Sum(r => r.Skipped));
}

/// <summary>The count columns of a proof-of-play CSV (appliance and hub), named as the JSON's fields, after the key and label.</summary>
public static class ReportCsv
{
    public const string CountColumns = "plays,totalDurationMs,interrupted,interruptedDurationMs,failed,skipped";

    public static string Counts(ReportRow r) => Join(r.Plays, r.TotalDurationMs, r.Interrupted, r.InterruptedDurationMs, r.Failed, r.Skipped);

    public static string Counts(ReportTotal t) => Join(t.Plays, t.TotalDurationMs, t.Interrupted, t.InterruptedDurationMs, t.Failed, t.Skipped);

    private static string Join(params ReadOnlySpan<long> counts)
    {
        var text = new System.Text.StringBuilder();
        foreach (var count in counts) text.Append(text.Length == 0 ? "" : ",").Append(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return text.ToString();
    }
}

/// <summary>PLAY_END counts by result, as the daily aggregates keep them (appliance and hub): a play is
/// COMPLETED; INTERRUPTED keeps its milliseconds too; ERROR counts as failed; SKIPPED (0 ms) as skipped.</summary>
public record struct PlayTally(long Plays, long DurationMs, long Interrupted, long InterruptedDurationMs, long Failed, long Skipped)
{
    /// <summary>This tally with one more PLAY_END of <paramref name="result"/> lasting <paramref name="durationMs"/>.</summary>
    public readonly PlayTally Add(string? result, long durationMs) => result switch
    {
        PlayerProtocol.PlayResults.Completed => this with { Plays = Plays + 1, DurationMs = DurationMs + durationMs },
        PlayerProtocol.PlayResults.Interrupted => this with { Interrupted = Interrupted + 1, InterruptedDurationMs = InterruptedDurationMs + durationMs },
        PlayerProtocol.PlayResults.Error => this with { Failed = Failed + 1 },
        PlayerProtocol.PlayResults.Skipped => this with { Skipped = Skipped + 1 },
        // Both ends refuse a PLAY_END without one of the four results before it is counted.
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "Not a PLAY_END result."),
    };

    public static PlayTally operator +(PlayTally a, PlayTally b) => new(a.Plays + b.Plays, a.DurationMs + b.DurationMs, a.Interrupted + b.Interrupted,
        a.InterruptedDurationMs + b.InterruptedDurationMs, a.Failed + b.Failed, a.Skipped + b.Skipped);
}

/// <summary>GET /v1/venues/{venueId}/reports/proof-of-play: venue-local dates, inclusive.</summary>
public sealed record ProofOfPlayReport(string From, string To, string GroupBy, ReportRow[] Rows, ReportTotal Total);

public sealed record IncidentResponse(string IncidentId, string DeviceId, string Type, string Severity, string Details, string OpenedAtUtc, string? ResolvedAtUtc);

/// <summary>GET /v1/venues/{venueId}/devices/{deviceId}/events: one stored screen event. <see cref="EventTimeUtc"/> is
/// the authoritative time (the appliance's when the device clock was plainly wrong, <see cref="ClockSuspect"/>).</summary>
public sealed record DeviceEventResponse(string EventId, long Sequence, string EventType, string Severity, string EventTimeUtc, string ReceivedAtUtc,
    bool ClockSuspect, System.Text.Json.JsonElement Payload);
