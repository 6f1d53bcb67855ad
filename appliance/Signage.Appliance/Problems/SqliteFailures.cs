using Microsoft.Data.Sqlite;

namespace Signage.Appliance.Problems;

// How SQLite reports the two failures ProblemResponses answers with 507 and 503 (the hub, which
// shares ProblemResponses.cs, has its own version for PostgreSQL).
public static partial class ProblemResponses
{
    /// <summary>SQLITE_FULL.</summary>
    private static partial bool IsDatabaseFull(Exception e) => e is SqliteException { SqliteErrorCode: 13 };

    /// <summary>SQLITE_BUSY or SQLITE_LOCKED after the 30-second busy wait.</summary>
    private static partial bool IsDatabaseBusy(Exception e) => e is SqliteException { SqliteErrorCode: 5 or 6 };
}
