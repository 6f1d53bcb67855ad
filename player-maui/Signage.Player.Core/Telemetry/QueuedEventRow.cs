using SQLite;

namespace Signage.Player.Core.Telemetry;

/// <summary>One event waiting for the appliance's 2xx. The sequence is the primary key: it is unique,
/// gap-free as recorded, and orders the queue oldest first.</summary>
[Table("queued_events")]
public sealed class QueuedEventRow
{
    [PrimaryKey]
    public long Sequence { get; set; }

    public string EventId { get; set; } = "";

    public string EventType { get; set; } = "";

    public string EventTimeUtc { get; set; } = "";

    /// <summary>The same instant as <see cref="EventTimeUtc"/>, as ticks, for the 7-day age limit.</summary>
    [Indexed]
    public long EventTimeTicks { get; set; }

    public string Severity { get; set; } = "";

    public string? PayloadJson { get; set; }
}
