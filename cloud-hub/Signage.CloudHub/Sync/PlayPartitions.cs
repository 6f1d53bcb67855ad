using System.Collections.Concurrent;
using System.Globalization;
using Signage.CloudHub.Data;

namespace Signage.CloudHub.Sync;

/// <summary>
/// Proof-of-play is partitioned by month of the venue-local date. A batch's months get their
/// partition before the batch's transaction starts (DDL takes strong locks; keep it out of the hot
/// path). An advisory lock keeps replicas from racing on the same CREATE.
/// </summary>
public sealed class PlayPartitions(HubDatabase database)
{
    private const long LockKey = Migrator.LockKey + 1;
    private readonly ConcurrentDictionary<DateOnly, bool> _known = new();

    public static string NameOf(DateOnly month) => $"play_{month.Year:D4}_{month.Month:D2}";

    public async Task EnsureAsync(IEnumerable<DateOnly> localDates, CancellationToken cancellationToken)
    {
        foreach (var month in localDates.Select(d => new DateOnly(d.Year, d.Month, 1)).Distinct())
        {
            if (_known.ContainsKey(month)) continue;
            await database.InTransactionAsync(async (connection, transaction) =>
            {
                await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key);", transaction, ("key", LockKey));
                var from = month.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                var to = month.AddMonths(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                return await connection.ExecuteAsync(
                    $"CREATE TABLE IF NOT EXISTS {NameOf(month)} PARTITION OF play FOR VALUES FROM ('{from}') TO ('{to}');", transaction);
            }, cancellationToken);
            _known[month] = true;
        }
    }
}
