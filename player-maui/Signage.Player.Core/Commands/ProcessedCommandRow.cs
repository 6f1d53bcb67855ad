using SQLite;

namespace Signage.Player.Core.Commands;

/// <summary>A command this device has executed (spec 28.7 "persist last command processed"). Written
/// before the result is posted, so a crash in between re-posts the result and never re-executes.</summary>
[Table("processed_commands")]
public sealed class ProcessedCommandRow
{
    [PrimaryKey]
    public string CommandId { get; set; } = "";

    public string CommandType { get; set; } = "";

    public string Status { get; set; } = "";

    public string? Message { get; set; }

    public long ProcessedTicks { get; set; }

    public bool ResultDelivered { get; set; }
}
