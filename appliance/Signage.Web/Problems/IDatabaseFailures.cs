namespace Signage.Web.Problems;

/// <summary>
/// How the server's database reports the two failures <see cref="ProblemResponses"/> answers precisely:
/// each server implements it for its own database (the appliance SQLite, the hub PostgreSQL).
/// Only the exception itself is asked about; <see cref="ProblemResponses"/> walks the inner exceptions.
/// </summary>
public interface IDatabaseFailures
{
    /// <summary>The database says its disk is full: 507, nothing stored.</summary>
    bool IsFull(Exception e);

    /// <summary>The database stayed locked by other writers past its wait: overload, not a fault, 503 with Retry-After.</summary>
    bool IsBusy(Exception e);
}
