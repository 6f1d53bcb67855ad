using Npgsql;
using Signage.Web.Problems;

namespace Signage.CloudHub.Data;

/// <summary>How PostgreSQL reports the two failures ProblemResponses answers with 507 and 503.</summary>
public sealed class PostgresFailures : IDatabaseFailures
{
    /// <summary>disk_full (53100).</summary>
    public bool IsFull(Exception e) => e is PostgresException { SqlState: PostgresErrorCodes.DiskFull };

    /// <summary>lock_not_available (55P03) or too_many_connections (53300): overload, not a fault.</summary>
    public bool IsBusy(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.TooManyConnections };
}
