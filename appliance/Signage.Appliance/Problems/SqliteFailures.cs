using Microsoft.Data.Sqlite;
using Signage.Web.Problems;

namespace Signage.Appliance.Problems;

/// <summary>How SQLite reports the two failures ProblemResponses answers with 507 and 503.</summary>
public sealed class SqliteFailures : IDatabaseFailures
{
    /// <summary>SQLITE_FULL.</summary>
    public bool IsFull(Exception e) => e is SqliteException { SqliteErrorCode: 13 };

    /// <summary>SQLITE_BUSY or SQLITE_LOCKED after the 30-second busy wait.</summary>
    public bool IsBusy(Exception e) => e is SqliteException { SqliteErrorCode: 5 or 6 };
}
