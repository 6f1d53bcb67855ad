using SQLite;

namespace Signage.Player.Core.Storage;

/// <summary>Small named values that must survive a restart (event sequence, dropped-event count).</summary>
[Table("player_state")]
public sealed class StateValueRow
{
    [PrimaryKey]
    public string Key { get; set; } = "";

    public long Value { get; set; }
}
