using Signage.Contracts;
using Signage.Player.Core.Storage;

namespace Signage.Player.Core.Manifests;

/// <summary>The manifest's resolved schedule (72 h of [fromUtc, toUtc) → playlistId) made searchable, so the
/// player switches playlists on time on its own clock, appliance or not.</summary>
public sealed class Timeline
{
    public sealed record Segment(DateTimeOffset From, DateTimeOffset To, string? PlaylistId);

    private readonly Segment[] _segments;

    public Timeline(IEnumerable<TimelineSegmentResponse> segments)
    {
        _segments = [.. segments.Select(s => new Segment(UtcText.Parse(s.FromUtc), UtcText.Parse(s.ToUtc), s.PlaylistId)).OrderBy(s => s.From)];
    }

    public IReadOnlyList<Segment> Segments => _segments;

    public bool IsEmpty => _segments.Length == 0;

    public DateTimeOffset? End => _segments.Length == 0 ? null : _segments[^1].To;

    /// <summary>The segment in force at <paramref name="now"/>. Past the end (offline beyond the horizon) the
    /// last segment stays in force: the last known schedule beats a blank screen.</summary>
    public Segment? At(DateTimeOffset now)
    {
        if (_segments.Length == 0 || now < _segments[0].From)
        {
            return null;
        }

        var low = 0;
        var high = _segments.Length - 1;
        while (low < high)
        {
            // The last segment starting at or before now.
            var mid = (low + high + 1) / 2;
            if (_segments[mid].From <= now)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return _segments[low];
    }

    /// <summary>The first instant after <paramref name="now"/> at which a different playlist is due, if any.</summary>
    public DateTimeOffset? NextChangeAfter(DateTimeOffset now)
    {
        var current = At(now);
        foreach (var segment in _segments)
        {
            if (segment.From > now && segment.PlaylistId != current?.PlaylistId)
            {
                return segment.From;
            }
        }

        return null;
    }

    /// <summary>Segments that start after <paramref name="now"/>, soonest first.</summary>
    public IEnumerable<Segment> Upcoming(DateTimeOffset now) => _segments.Where(s => s.From > now);
}
