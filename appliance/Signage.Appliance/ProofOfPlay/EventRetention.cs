using System.Globalization;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Data;

namespace Signage.Appliance.ProofOfPlay;

/// <summary>
/// Deletes raw event rows older than their retention, in small batches so that screens' event
/// writes never wait long behind it. The daily proof-of-play aggregates are kept forever: reports
/// over old dates stay exact after their raw plays are gone.
/// Settings: <c>Retention:ProofOfPlayDays</c> (default 400: a year's report plus a month of
/// disputes), <c>Retention:DeviceEventDays</c> (default 30), <c>Retention:IntervalSeconds</c>
/// (default 3600). Age is by when the appliance received a row, which is also (nearly) rowid order:
/// each batch takes the oldest rows by rowid and deletes those past the cutoff, and the job stops
/// when a batch finds none, so a pass never scans the young part of a table.
/// </summary>
public sealed class EventRetention(Database database, IClock clock, IConfiguration configuration, ILogger<EventRetention> logger) : BackgroundService
{
    public const int BatchSize = 1_000;

    public Duration ProofOfPlayAge { get; } = Duration.FromDays(Setting(configuration, "Retention:ProofOfPlayDays", 400));

    public Duration DeviceEventAge { get; } = Duration.FromDays(Setting(configuration, "Retention:DeviceEventDays", 30));

    public TimeSpan Interval { get; } = TimeSpan.FromSeconds(Setting(configuration, "Retention:IntervalSeconds", 3600));

    private static int Setting(IConfiguration configuration, string key, int fallback) =>
        int.TryParse(configuration[key], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    /// <summary>One pass over both logs; returns the rows deleted.</summary>
    public int RunOnce()
    {
        var now = clock.GetCurrentInstant();
        using var connection = database.Open();
        // While enrolled, a play the hub has not acknowledged (after the upload cursor) is kept whatever its age.
        return Purge(connection, "proof_of_play", "server_received_utc", now - ProofOfPlayAge,
                "AND (play_seq <= (SELECT sent_through FROM play_upload) OR NOT EXISTS (SELECT 1 FROM hub_connection))")
            + Purge(connection, "device_event", "received_at_utc", now - DeviceEventAge, "");
    }

    private static int Purge(SqliteConnection connection, string table, string receivedColumn, Instant cutoff, string condition)
    {
        int deleted, total = 0;
        do
        {
            using var transaction = connection.BeginTransaction();
            deleted = connection.Execute($"""
                DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} ORDER BY rowid LIMIT {BatchSize}) AND {receivedColumn} < $cutoff {condition};
                """, transaction, ("$cutoff", Sql.Utc(cutoff)));
            transaction.Commit();
            total += deleted;
        }
        while (deleted > 0);
        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                if (RunOnce() is > 0 and var deleted) logger.LogInformation("Retention deleted {Rows} raw event rows", deleted);
            }
            catch (SqliteException e)
            {
                logger.LogWarning(e, "Retention pass failed; will retry");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
