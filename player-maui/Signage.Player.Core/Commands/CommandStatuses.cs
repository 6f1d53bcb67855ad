namespace Signage.Player.Core.Commands;

/// <summary>CommandResultRequest.status values this player sends.</summary>
public static class CommandStatuses
{
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    /// <summary>Arrived after its expiresAtUtc: not executed.</summary>
    public const string Expired = "EXPIRED";
}
