using Npgsql;

// The namespace of the shared ProblemResponses.cs (linked from the appliance), whose partial methods these are.
namespace Signage.Appliance.Problems;

// How PostgreSQL reports the two failures ProblemResponses answers with 507 and 503.
public static partial class ProblemResponses
{
    /// <summary>disk_full (53100).</summary>
    private static partial bool IsDatabaseFull(Exception e) => e is PostgresException { SqlState: PostgresErrorCodes.DiskFull };

    /// <summary>lock_not_available (55P03) or too_many_connections (53300): overload, not a fault.</summary>
    private static partial bool IsDatabaseBusy(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.TooManyConnections };
}
